"""Sensor subscriptions whose reliability follows the publishers when set to 'auto'."""
from __future__ import annotations

from typing import Callable

from rclpy.node import Node
from rclpy.qos import ReliabilityPolicy

from monodepth_ros.ros.qos import reliability_from_setting, reliability_matching, sensor_input_qos


class AdaptiveSubscription:
    """Subscribes with depth ``depth``; with reliability 'auto' it re-checks the publishers every
    ``recheck_period_s`` and re-subscribes when their reliability calls for another policy.

    Before any publisher is known it subscribes best effort, which matches every publisher.
    """

    def __init__(self, node: Node, message_type, topic: str, callback: Callable, reliability: str,
                 depth: int = 1, callback_group=None, recheck_period_s: float = 1.0) -> None:
        self._node = node
        self._message_type = message_type
        self._topic = node.resolve_topic_name(topic)
        self._callback = callback
        self._depth = depth
        self._callback_group = callback_group
        fixed = reliability_from_setting(reliability)
        self.policy = fixed or self._policy_for_publishers() or ReliabilityPolicy.BEST_EFFORT
        self._subscription = self._subscribe()
        self._timer = None if fixed else node.create_timer(recheck_period_s, self._recheck,
                                                           callback_group=callback_group)

    @property
    def topic(self) -> str:
        return self._topic

    def _policy_for_publishers(self) -> ReliabilityPolicy | None:
        publishers = self._node.get_publishers_info_by_topic(self._topic)
        if not publishers:
            return None
        return reliability_matching([info.qos_profile.reliability for info in publishers])

    def _subscribe(self):
        return self._node.create_subscription(self._message_type, self._topic, self._callback,
                                              sensor_input_qos(self.policy, self._depth),
                                              callback_group=self._callback_group)

    def _recheck(self) -> None:
        wanted = self._policy_for_publishers()
        if wanted is None or wanted == self.policy:
            return
        self._node.get_logger().info(
            f"publishers of {self._topic} are {wanted.name.lower()}: re-subscribing {wanted.name.lower()}")
        self._node.destroy_subscription(self._subscription)
        self.policy = wanted
        self._subscription = self._subscribe()
