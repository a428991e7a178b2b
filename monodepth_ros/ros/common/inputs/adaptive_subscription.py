"""Sensor subscriptions whose reliability follows the publishers when set to 'auto'."""
from __future__ import annotations

import collections
import threading
from typing import Callable

from rclpy.node import Node
from rclpy.qos import ReliabilityPolicy

from monodepth_ros.ros.common.qos import reliability_from_setting, reliability_matching, sensor_input_qos

SWITCH_HISTORY = 256
"""Message keys remembered while a re-subscription is under way (seconds of any sensor stream)."""


class AdaptiveSubscription:
    """Subscribes with depth ``depth``; with reliability 'auto' it re-checks the publishers every
    ``recheck_period_s`` and re-subscribes when their reliability calls for another policy.

    Before any publisher is known it subscribes best effort, which matches every publisher. A re-subscription
    loses nothing: the old subscription stays until the recheck after the new one has delivered a message, and
    until the recheck after that, a message (a std_msgs/Header stamp and frame) is passed on only once.
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
        self._retiring = None
        self._generation = 0
        self._new_has_delivered = False
        self._switch_keys: collections.deque | None = None
        self._switch_lock = threading.Lock()
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
        generation = self._generation
        return self._node.create_subscription(self._message_type, self._topic,
                                              lambda message: self._on_message(message, generation),
                                              sensor_input_qos(self.policy, self._depth),
                                              callback_group=self._callback_group)

    def _on_message(self, message, generation: int) -> None:
        with self._switch_lock:
            if self._switch_keys is not None:
                self._new_has_delivered |= generation == self._generation
                key = (message.header.stamp.sec, message.header.stamp.nanosec, message.header.frame_id)
                if key in self._switch_keys:
                    return
                self._switch_keys.append(key)
        self._callback(message)

    def _recheck(self) -> None:
        with self._switch_lock:
            retired, self._retiring = (self._retiring, None) if self._new_has_delivered else (None, self._retiring)
            if retired is None and self._retiring is None:
                self._switch_keys = None
        if retired is not None:
            self._node.destroy_subscription(retired)
            return
        wanted = self._policy_for_publishers()
        if wanted is None or wanted == self.policy:
            return
        self._node.get_logger().info(
            f"publishers of {self._topic} are {wanted.name.lower()}: re-subscribing {wanted.name.lower()}")
        with self._switch_lock:
            superseded, self._retiring = self._retiring, self._subscription
            self._switch_keys = collections.deque(maxlen=SWITCH_HISTORY)
            self._new_has_delivered = False
            self._generation += 1
            self.policy = wanted
        if superseded is not None:
            self._node.destroy_subscription(superseded)
        self._subscription = self._subscribe()
