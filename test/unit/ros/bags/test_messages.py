"""rclpy messages from and to bag CDR, and the QoS a recorded topic is played with."""
from __future__ import annotations

import pytest
from rclpy.qos import DurabilityPolicy, ReliabilityPolicy
from rosbags.interfaces import QosReliability
from sensor_msgs.msg import Image

from monodepth_ros.core.sources.bag_file import LATCHED_QOS, TYPESTORE, stream_qos
from monodepth_ros.ros.bags.messages import DEFAULT_DEPTH, from_cdr, message_class, qos_profile_from, to_cdr
from monodepth_ros.ros.conversions.errors import ConversionError


def test_rclpy_cdr_round_trips_and_rosbags_reads_it():
    image = Image(height=2, width=3, encoding="mono8", step=3, data=bytes(range(6)))
    image.header.frame_id = "camera"
    image.header.stamp.sec, image.header.stamp.nanosec = 17, 42
    data = to_cdr(image)
    assert from_cdr(data, "sensor_msgs/msg/Image") == image
    decoded = TYPESTORE.deserialize_cdr(data, "sensor_msgs/msg/Image")
    assert (decoded.header.frame_id, decoded.header.stamp.nanosec, decoded.width) == ("camera", 42, 3)


def test_unknown_types_and_malformed_bytes_are_conversion_errors():
    assert message_class("sensor_msgs/msg/CameraInfo").__name__ == "CameraInfo"
    with pytest.raises(ConversionError, match="install no_such_msgs"):
        message_class("no_such_msgs/msg/Thing")
    with pytest.raises(ConversionError, match="cannot decode a sensor_msgs/msg/Image"):
        from_cdr(b"\x00\x01\x00\x00\x05", "sensor_msgs/msg/Image")


def test_recorded_qos_sets_reliability_durability_and_depth():
    latched = qos_profile_from([LATCHED_QOS])
    assert (latched.durability, latched.reliability, latched.depth) == (
        DurabilityPolicy.TRANSIENT_LOCAL, ReliabilityPolicy.RELIABLE, 1)
    best_effort = qos_profile_from([stream_qos()._replace(reliability=QosReliability.BEST_EFFORT, depth=5)])
    assert (best_effort.reliability, best_effort.durability, best_effort.depth) == (
        ReliabilityPolicy.BEST_EFFORT, DurabilityPolicy.VOLATILE, DEFAULT_DEPTH)
    assert qos_profile_from([stream_qos(depth=50)]).depth == 50
    unknown = qos_profile_from([])
    assert (unknown.reliability, unknown.durability, unknown.depth) == (
        ReliabilityPolicy.RELIABLE, DurabilityPolicy.VOLATILE, DEFAULT_DEPTH)
