"""rclpy messages from and to the CDR bytes of a bag, and the QoS profile of a recorded publisher."""
from __future__ import annotations

import importlib
from typing import Any, Sequence

from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message, serialize_message
from rosbags.interfaces import Qos, QosDurability, QosHistory, QosReliability

from monodepth_ros.ros.conversions.errors import ConversionError

DEFAULT_DEPTH = 10
"""History depth of a publisher whose recorded QoS keeps all messages or is unknown."""


def message_class(msgtype: str) -> type:
    """The rclpy message class of a bag type name such as ``sensor_msgs/msg/Image``."""
    package, _, name = msgtype.rpartition("/msg/")
    try:
        return getattr(importlib.import_module(f"{package}.msg"), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ConversionError(f"no Python message package provides {msgtype} (install {package})") from error


def from_cdr(data: bytes, msgtype: str) -> Any:
    """The rclpy message of type ``msgtype`` in the CDR bytes ``data``."""
    try:
        return deserialize_message(data, message_class(msgtype))
    except ConversionError:
        raise
    except Exception as error:  # noqa: BLE001 - rclpy raises plain exceptions for malformed CDR
        raise ConversionError(f"cannot decode a {msgtype} message: {error}") from error


def to_cdr(message: Any) -> bytes:
    """The CDR bytes of an rclpy message, as rosbag2 records them."""
    return serialize_message(message)


def qos_profile_from(recorded: Sequence[Qos]) -> QoSProfile:
    """The QoS to publish a recorded topic with: its first recorded publisher's reliability, durability and
    history (at least 10 deep unless latched, so a reliable reader of a fast topic loses nothing); reliable,
    volatile, depth 10 when nothing was recorded."""
    profile = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=DEFAULT_DEPTH,
                         reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
    if not recorded:
        return profile
    offered = recorded[0]
    if offered.reliability is QosReliability.BEST_EFFORT:
        profile.reliability = ReliabilityPolicy.BEST_EFFORT
    if offered.durability is QosDurability.TRANSIENT_LOCAL:
        profile.durability = DurabilityPolicy.TRANSIENT_LOCAL
    if offered.history is QosHistory.KEEP_LAST and offered.depth > 0:
        latched = profile.durability is DurabilityPolicy.TRANSIENT_LOCAL
        profile.depth = offered.depth if latched else max(offered.depth, DEFAULT_DEPTH)
    return profile
