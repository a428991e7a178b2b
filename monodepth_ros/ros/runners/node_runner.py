"""Start nodes in this process: DDS profile, rclpy init, spin, and an orderly, silent shutdown on Ctrl-C.

rclpy's own SIGINT handler shuts the context down at once, while worker threads may still be publishing
("publisher's context is invalid", "Failed to publish log message to rosout"). Here SIGINT and SIGTERM only ask
the spin loop to stop; then the executor stops, each node stops its worker (the input in progress is finished
and published), its publishers and the node are destroyed, and only then is rclpy shut down.
"""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Callable

import rclpy
import rclpy.logging
import yaml
from rclpy.executors import Executor, ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from monodepth_ros.ros.common.dds_profile import use_large_message_profile
from monodepth_ros.ros.common.managed_node import ManagedNode

SPIN_PERIOD_S = 0.1
"""Longest the executor waits before the stop request of a signal is seen (seconds)."""
FINALIZED_LINGER_S = 0.5
"""How long the nodes keep spinning once every managed node is finalized, so that the reply of the shutdown
transition and its transition event reach the caller before the process exits (seconds)."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
MAX_START_ERROR_CHARS = 400
"""A start-up failure is told in one line of at most this many characters after 'cannot start: '."""
PLAIN_ERRORS = (ValueError, RuntimeError, OSError)
"""Errors whose text says enough on its own; others are prefixed with their type."""


class StopRequest:
    """Turns SIGINT and SIGTERM into a flag while active (in the main thread; elsewhere signals keep their
    handlers and Ctrl-C arrives as KeyboardInterrupt)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequest:
        try:
            self._previous = {number: signal.signal(number, self._request) for number in STOP_SIGNALS}
        except ValueError:  # not the main thread
            self._previous = {}
        return self

    def __exit__(self, *exception) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _request(self, number, frame) -> None:
        self.requested = True


def spin_until_stopped(executor: Executor, nodes: list[Node], stop: StopRequest) -> None:
    """Spin until a stop is requested, rclpy is shut down, or every managed node among ``nodes`` is finalized."""
    managed = [node for node in nodes if isinstance(node, ManagedNode)]
    while not stop.requested and rclpy.ok():
        executor.spin_once(timeout_sec=SPIN_PERIOD_S)
        if managed and all(node.lifecycle_state == "finalized" for node in managed):
            linger_until = time.monotonic() + FINALIZED_LINGER_S
            while time.monotonic() < linger_until and rclpy.ok():
                executor.spin_once(timeout_sec=SPIN_PERIOD_S)
            return


def run_nodes(make_nodes: Callable[[], list[Node]], executor: Executor, logger_name: str = "monodepth_ros") -> int:
    """Spin the nodes ``make_nodes`` creates until Ctrl-C, SIGTERM, rclpy shutdown or (for managed nodes) the
    shutdown transition of all of them; returns the exit code (1: cannot start, told in one line)."""
    nodes: list[Node] = []
    with StopRequest() as stop:
        try:
            try:
                nodes = make_nodes()
            except (KeyboardInterrupt, ExternalShutdownException):
                raise
            except Exception as error:  # noqa: BLE001 - any failure to start is one line, never a traceback
                return start_failure(error, logger_name)
            for node in nodes:
                executor.add_node(node)
            spin_until_stopped(executor, nodes, stop)
        except (KeyboardInterrupt, ExternalShutdownException):
            pass
        finally:
            executor.shutdown()
            for node in nodes:
                node.destroy_node()  # a managed node stops its worker before its publishers go
            rclpy.try_shutdown()
    return 0


def start_failure(error: BaseException, logger_name: str) -> int:
    """Log why the process cannot start, in one line ('cannot start: ...'); returns the exit code 1."""
    text = " ".join(str(error).split()) or type(error).__name__
    if not isinstance(error, PLAIN_ERRORS):
        text = f"{type(error).__name__}: {text}"
    if len(text) > MAX_START_ERROR_CHARS:
        text = text[:MAX_START_ERROR_CHARS - 3] + "..."
    rclpy.logging.get_logger(logger_name).fatal(f"cannot start: {text}")
    return 1


def check_parameters_files(args: list[str]) -> None:
    """Raise ValueError naming the file and line when a ``--params-file`` in ``args`` is missing or not YAML
    (rcl would fail with several lines of its own)."""
    for flag, value in zip(args, args[1:]):
        if flag != "--params-file":
            continue
        path = Path(value)
        if not path.is_file():
            raise ValueError(f"parameters file not found: {path}")
        try:
            yaml.safe_load(path.read_text())
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise ValueError(f"parameters file {path} is not valid YAML: {' '.join(str(error).split())}") from None


def init_ros(args: list[str] | None) -> None:
    """Select the large-message DDS profile, then initialise rclpy with ``args`` (default: sys.argv), without
    rclpy's signal handlers (run_nodes handles SIGINT and SIGTERM). Raises ValueError for an unreadable
    parameters file."""
    args = list(args if args is not None else sys.argv)
    check_parameters_files(args)
    use_large_message_profile()
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)


def run_node(make_node: Callable[[], Node], args: list[str] | None = None) -> int:
    """Run one node until shutdown; returns the process exit code.

    Heavy work runs on each node's worker thread, so a single-threaded executor serves the callbacks;
    rclpy's multi-threaded executor costs several times more CPU per message.
    """
    try:
        init_ros(args)
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        return start_failure(error, "monodepth_ros")
    return run_nodes(lambda: [make_node()], SingleThreadedExecutor())
