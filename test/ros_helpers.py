"""Helpers for tests that talk to node processes over real DDS."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

REPO_ROOT = Path(__file__).resolve().parent.parent


class NodeProcess:
    """A node started with ``python -m MODULE --ros-args ...``; its output goes to a log file."""

    def __init__(self, module: str, log_path: Path, parameters: dict | None = None,
                 remappings: dict | None = None, env: dict | None = None) -> None:
        arguments = [sys.executable, "-m", module, "--ros-args"]
        for name, value in (parameters or {}).items():
            arguments += ["-p", f"{name}:={_param_text(value)}"]
        for source, target in (remappings or {}).items():
            arguments += ["-r", f"{source}:={target}"]
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(arguments, stdout=self._log, stderr=subprocess.STDOUT,
                                        cwd=REPO_ROOT, env={**os.environ, **(env or {})})

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> int:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


def _param_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_param_text(item) for item in value) + "]"
    return str(value)


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

