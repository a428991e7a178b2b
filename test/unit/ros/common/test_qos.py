"""QoS selection: following the publishers' reliability."""
from __future__ import annotations

from rclpy.qos import DurabilityPolicy, ReliabilityPolicy

from monodepth_ros.ros.common.qos import latched_output_qos, reliability_matching, sensor_input_qos


def test_reliability_follows_the_publishers():
    assert reliability_matching([ReliabilityPolicy.RELIABLE]) == ReliabilityPolicy.RELIABLE
    assert reliability_matching([ReliabilityPolicy.RELIABLE, ReliabilityPolicy.BEST_EFFORT]) == \
        ReliabilityPolicy.BEST_EFFORT
    assert sensor_input_qos(ReliabilityPolicy.BEST_EFFORT).depth == 1
    assert latched_output_qos().durability == DurabilityPolicy.TRANSIENT_LOCAL
