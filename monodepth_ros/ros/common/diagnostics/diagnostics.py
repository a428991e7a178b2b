"""Publish a node's health on /diagnostics (diagnostic_msgs/DiagnosticArray)."""
from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

from monodepth_ros.ros.common.qos import diagnostics_qos


class DiagnosticsPublisher:
    """One DiagnosticStatus per call, named '<node name>: <task>'."""

    def __init__(self, node: Node, task: str) -> None:
        self._node = node
        self._name = f"{node.get_name()}: {task}"
        self._publisher = node.create_publisher(DiagnosticArray, "/diagnostics", diagnostics_qos())

    def publish(self, level: bytes, message: str, values: dict[str, object]) -> None:
        status = DiagnosticStatus(level=level, name=self._name, message=message,
                                  hardware_id=self._node.get_fully_qualified_name(),
                                  values=[KeyValue(key=key, value=str(value)) for key, value in values.items()])
        array = DiagnosticArray(status=[status])
        array.header.stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(array)


MAX_PROBLEMS_SHOWN = 3
"""Problems named in a /diagnostics message (the most recent first); the others are counted."""

IDLE_STATES = {"unconfigured": "unconfigured: waiting for the lifecycle transition configure",
               "inactive": "inactive: configured, waiting for the lifecycle transition activate",
               "finalized": "finalized: shut down"}
"""The status message of a managed node in each lifecycle state other than active."""


def level_for(problems: dict[str, str], rate_hz: float, demanded: bool = True,
              lifecycle_state: str = "active") -> tuple[bytes, str]:
    """OK when output flows without problems, nobody asks for it (``demanded`` false) or a managed node is not
    active (``lifecycle_state``), WARN otherwise, with a one-line message."""
    if problems:
        return DiagnosticStatus.WARN, problem_summary(problems)
    if lifecycle_state in IDLE_STATES:
        return DiagnosticStatus.OK, IDLE_STATES[lifecycle_state]
    if not demanded:
        return DiagnosticStatus.OK, "idle: no output is subscribed"
    if rate_hz <= 0.0:
        return DiagnosticStatus.WARN, "no output (is the input published and remapped?)"
    return DiagnosticStatus.OK, "ok"


def problem_summary(problems: dict[str, str]) -> str:
    """One short line: the first MAX_PROBLEMS_SHOWN messages of ``problems`` and the count of the others."""
    shown = list(problems.values())[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f" (+{more} more)" if more else "")
