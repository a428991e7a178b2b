"""AdaptiveSubscription over real DDS: following the publishers' reliability loses and repeats no message."""
from __future__ import annotations

import time

import pytest
import rclpy
from rclpy.context import Context
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import spin_until
from sensor_msgs.msg import CameraInfo

from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription

TOPIC = "/switch_probe/camera_info"


@pytest.fixture
def other_participant(ros_context):
    """A node in a second rclpy context: its own DDS participant, discovered as another process would be."""
    context = Context()
    rclpy.init(context=context)
    node = rclpy.create_node("switch_publisher", context=context)
    yield node
    node.destroy_node()
    rclpy.shutdown(context=context)


def test_re_subscribing_for_a_reliable_publisher_loses_and_repeats_no_message(test_nodes, other_participant):
    node = test_nodes("switch_probe")
    received: list[CameraInfo] = []
    subscription = AdaptiveSubscription(node, CameraInfo, TOPIC, received.append, "auto", depth=1000,
                                        recheck_period_s=0.2)
    assert subscription.policy is ReliabilityPolicy.BEST_EFFORT, "no publisher yet"
    publisher = other_participant.create_publisher(CameraInfo, TOPIC,
                                                   QoSProfile(depth=1000, reliability=ReliabilityPolicy.RELIABLE))
    assert spin_until(node, lambda: publisher.get_subscription_count() > 0, 10.0)

    published: list[int] = []  # at 500 Hz, so that messages are in flight when the subscription switches
    next_publish = time.monotonic()
    while len(published) < 500:
        if time.monotonic() >= next_publish:
            message = CameraInfo()
            message.header.frame_id = "camera"
            message.header.stamp.nanosec = len(published)
            publisher.publish(message)
            published.append(len(published))
            next_publish += 0.002
        rclpy.spin_once(node, timeout_sec=0.001)
    spin_until(node, lambda: False, 1.0, period_s=0.01)

    assert subscription.policy is ReliabilityPolicy.RELIABLE, "re-subscribed while messages were flowing"
    stamps = [message.header.stamp.nanosec for message in received]
    assert len(stamps) == len(set(stamps)), "a message passed on twice"
    assert len(stamps) > 250
    expected = published[min(stamps):]  # from the first message after the reader side matched
    assert sorted(stamps) == expected, f"lost: {sorted(set(expected) - set(stamps))}"
