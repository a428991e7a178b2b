"""Whether anyone subscribes to a node's outputs, so that the node works only while someone listens."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from rclpy.node import Node
from rclpy.publisher import Publisher

try:  # rclpy of Iron and later (Jazzy 7.x, Kilted 9.x): a publisher reports each subscription (un)matching
    from rclpy.event_handler import PublisherEventCallbacks
except ImportError:  # Humble's rclpy has no matched events
    PublisherEventCallbacks = None

MATCHED_EVENTS_AVAILABLE = PublisherEventCallbacks is not None
"""True where rclpy offers publisher matched events; without them subscribers are counted by a timer."""
COUNT_PERIOD_S = 0.5
"""Period of the subscriber count where there are no matched events (seconds): the longest a node keeps
working after its last subscriber left, or waits before it starts for a new one."""


@dataclass
class _Output:
    publisher: Publisher | None = None
    subscribers: int = 0


class OutputDemand:
    """Tracks whether any of a node's output publishers (made with ``create_publisher``) has a subscriber.

    Where rclpy has matched events (``MATCHED_EVENTS_AVAILABLE``), each output updates its subscriber count as
    subscriptions match and leave, with no polling; otherwise a timer counts them every ``COUNT_PERIOD_S``.
    ``on_change(active)`` runs on the node's executor each time ``active`` flips.
    """

    def __init__(self, node: Node, on_change: Callable[[bool], None] | None = None) -> None:
        self._node = node
        self._on_change = on_change
        self._outputs: list[_Output] = []
        self._active = False
        self._lock = threading.Lock()
        self.uses_matched_events = MATCHED_EVENTS_AVAILABLE
        self._timer = None if self.uses_matched_events else node.create_timer(COUNT_PERIOD_S,
                                                                               self.count_subscribers)

    @property
    def active(self) -> bool:
        """True while at least one output has a subscriber."""
        return self._active

    @property
    def publishers(self) -> tuple[Publisher, ...]:
        return tuple(output.publisher for output in self._outputs)

    def create_publisher(self, message_type, topic: str, qos, **kwargs) -> Publisher:
        """``node.create_publisher(message_type, topic, qos, **kwargs)`` for an output counted here; a lifecycle
        publisher (``create_lifecycle_publisher``) on a managed node."""
        output = _Output()
        if self.uses_matched_events:
            kwargs["event_callbacks"] = PublisherEventCallbacks(
                matched=lambda info: self._set_subscribers(output, info.current_count))
        create = getattr(self._node, "create_lifecycle_publisher", self._node.create_publisher)
        output.publisher = create(message_type, topic, qos, **kwargs)
        with self._lock:
            self._outputs.append(output)
        self._set_subscribers(output, output.publisher.get_subscription_count())
        return output.publisher

    def has_subscribers(self, publisher: Publisher) -> bool:
        """True while the output ``publisher`` (made by ``create_publisher``) has a subscriber."""
        with self._lock:
            return any(output.subscribers > 0 for output in self._outputs if output.publisher is publisher)

    def forget_destroyed(self) -> None:
        """Stop counting outputs whose publisher the node has destroyed (a managed node's cleanup); ``active``
        follows the remaining ones, without ``on_change``."""
        existing = list(self._node.publishers)
        with self._lock:
            self._outputs = [output for output in self._outputs
                             if any(output.publisher is publisher for publisher in existing)]
            self._active = any(output.subscribers > 0 for output in self._outputs)

    def count_subscribers(self) -> None:
        """Count every output's subscribers now (the timer's job where there are no matched events)."""
        for output in list(self._outputs):
            self._set_subscribers(output, output.publisher.get_subscription_count())

    def _set_subscribers(self, output: _Output, count: int) -> None:
        with self._lock:
            output.subscribers = count
            active = any(each.subscribers > 0 for each in self._outputs)
            changed, self._active = active != self._active, active
        if changed and self._on_change is not None:
            self._on_change(active)
