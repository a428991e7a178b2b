"""Start nodes in this process: DDS profile, rclpy init, spin, clean shutdown."""
from __future__ import annotations

import sys
from typing import Callable

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor
from rclpy.node import Node

from monodepth_ros.ros.dds_profile import use_large_message_profile


def run_nodes(make_nodes: Callable[[], list[Node]], args: list[str] | None = None, threads: int = 2,
              logger_name: str = "monodepth_ros") -> int:
    """Spin the nodes ``make_nodes`` creates until shutdown; returns the exit code (1: cannot start)."""
    use_large_message_profile()
    rclpy.init(args=args if args is not None else sys.argv)
    nodes: list[Node] = []
    executor = MultiThreadedExecutor(num_threads=threads)
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


def run_node(make_node: Callable[[], Node], args: list[str] | None = None) -> int:
    """Run one node until shutdown; returns the process exit code."""
    return run_nodes(lambda: [make_node()], args)
