"""Helpers for tests that talk to node processes over real DDS."""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import rclpy
from rclpy.executors import SingleThreadedExecutor
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



def wait_until(condition: Callable[[], bool], timeout_s: float, period_s: float = 0.02) -> bool:
    """Poll ``condition`` (while nodes spin elsewhere) until it holds or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(period_s)
    return condition()


@contextlib.contextmanager
def spinning(*nodes: Node) -> Iterator[SingleThreadedExecutor]:
    """Spin ``nodes`` on a background thread for the duration of the block (more can be added to the executor)."""
    executor = SingleThreadedExecutor()
    for node in nodes:
        executor.add_node(node)
    thread = threading.Thread(target=executor.spin, name="test-executor", daemon=True)
    thread.start()
    try:
        yield executor
    finally:
        executor.shutdown()
        thread.join(5.0)
