"""Start nodes in this process: DDS profile, rclpy init, spin, clean shutdown."""
from __future__ import annotations

import sys
from typing import Callable

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import Executor, ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from monodepth_ros.ros.common.dds_profile import use_large_message_profile


def run_nodes(make_nodes: Callable[[], list[Node]], executor: Executor, logger_name: str = "monodepth_ros") -> int:
    """Spin the nodes ``make_nodes`` creates until shutdown; returns the exit code (1: cannot start)."""
    nodes: list[Node] = []
    try:
        nodes = make_nodes()
        for node in nodes:
            executor.add_node(node)
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except (ValueError, RuntimeError, FileNotFoundError, ImportError, ParameterException) as error:
        rclpy.logging.get_logger(logger_name).fatal(f"cannot start: {error}")
        return 1
    finally:
        executor.shutdown()
        for node in nodes:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


def init_ros(args: list[str] | None) -> None:
    """Select the large-message DDS profile, then initialise rclpy with ``args`` (default: sys.argv)."""
    use_large_message_profile()
    rclpy.init(args=args if args is not None else sys.argv)


def run_node(make_node: Callable[[], Node], args: list[str] | None = None) -> int:
    """Run one node until shutdown; returns the process exit code.

    Heavy work runs on each node's worker thread, so a single-threaded executor serves the callbacks;
    rclpy's multi-threaded executor costs several times more CPU per message.
    """
    init_ros(args)
    return run_nodes(lambda: [make_node()], SingleThreadedExecutor())
