"""Helpers for tests that talk to node processes over real DDS."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

REPO_ROOT = Path(__file__).resolve().parent.parent


def spin_until(node: Node, condition: Callable[[], bool], timeout_s: float,
               every: Callable[[], None] | None = None, period_s: float = 0.05) -> bool:
    """Spin ``node`` (calling ``every`` each period) until ``condition`` holds or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if every is not None:
            every()
        rclpy.spin_once(node, timeout_sec=period_s)
        if condition():
            return True
    return condition()


def qos(reliability: ReliabilityPolicy, depth: int = 5) -> QoSProfile:
    return QoSProfile(depth=depth, reliability=reliability)

