"""Every QoS profile the nodes use, in one place."""
from __future__ import annotations

from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

RELIABILITY_CHOICES = ("auto", "reliable", "best_effort")


def sensor_input_qos(reliability: ReliabilityPolicy, depth: int = 1) -> QoSProfile:
    """Subscription to a sensor stream: keep only the newest ``depth`` samples, volatile."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=depth, reliability=reliability,
                      durability=DurabilityPolicy.VOLATILE)


def stream_output_qos(depth: int = 1) -> QoSProfile:
    """Published streams (depth, clouds): reliable so RViz and rosbag connect, newest only."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=depth, reliability=ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.VOLATILE)


def latched_output_qos() -> QoSProfile:
    """Latched maps (costmap): late subscribers get the last one."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1, reliability=ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.TRANSIENT_LOCAL)


def diagnostics_qos() -> QoSProfile:
    """/diagnostics, as diagnostic_updater publishes it."""
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=10, reliability=ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.VOLATILE)


def reliability_from_setting(setting: str) -> ReliabilityPolicy | None:
    """'reliable' / 'best_effort' -> the policy; 'auto' -> None (match the publishers)."""
    return {"reliable": ReliabilityPolicy.RELIABLE, "best_effort": ReliabilityPolicy.BEST_EFFORT,
            "auto": None}[setting]


def reliability_matching(publisher_reliabilities: list[ReliabilityPolicy]) -> ReliabilityPolicy:
    """Reliability a subscription needs to receive from all these publishers without loss.

    A reliable subscription never matches a best-effort publisher, so any best-effort publisher forces
    best effort; otherwise reliable (a best-effort reader of large messages loses most of them).
    """
    if any(policy == ReliabilityPolicy.BEST_EFFORT for policy in publisher_reliabilities):
        return ReliabilityPolicy.BEST_EFFORT
    return ReliabilityPolicy.RELIABLE
