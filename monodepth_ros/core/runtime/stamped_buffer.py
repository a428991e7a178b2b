"""Pair messages by time stamp: the nearest stamp within a tolerance."""
from __future__ import annotations

import collections
import threading
import time
from typing import Generic, TypeVar

Item = TypeVar("Item")


class StampedBuffer(Generic[Item]):
    """Keeps the last ``capacity`` items with their stamps (integer nanoseconds). Thread-safe."""

    def __init__(self, capacity: int = 30) -> None:
        self._items: collections.deque[tuple[int, Item]] = collections.deque(maxlen=capacity)
        self._condition = threading.Condition()
        self._last_lookup_matched = True

    def add(self, stamp_ns: int, item: Item) -> None:
        with self._condition:
            self._items.append((stamp_ns, item))
            self._condition.notify_all()

    def match(self, stamp_ns: int, tolerance_ns: int, wait_s: float = 0.0) -> Item | None:
        """The item with the nearest stamp within ``tolerance_ns``, else None.

        Waits up to ``wait_s`` seconds for a matching item to arrive (an image often arrives
        just before its camera_info).
        """
        deadline = time.monotonic() + wait_s
        with self._condition:
            while True:
                found = self._nearest_within(stamp_ns, tolerance_ns)
                remaining = deadline - time.monotonic()
                if found is not None or remaining <= 0.0:
                    return found
                self._condition.wait(remaining)

    def match_or_latest(self, stamp_ns: int, tolerance_ns: int, wait_s: float) -> Item | None:
        """The item matching ``stamp_ns`` as in ``match``, else the newest item, else None.

        It waits for a match only while the previous lookup found one, so a stream whose stamps never
        match (a driver that stamps camera_info differently) costs no waiting.
        """
        found = self.match(stamp_ns, tolerance_ns, wait_s if self._last_lookup_matched else 0.0)
        self._last_lookup_matched = found is not None
        return found if found is not None else self.latest()

    def latest(self) -> Item | None:
        """The most recently added item, or None."""
        with self._condition:
            return self._items[-1][1] if self._items else None

    def _nearest_within(self, stamp_ns: int, tolerance_ns: int) -> Item | None:
        if not self._items:
            return None
        nearest_stamp, nearest = min(self._items, key=lambda entry: abs(entry[0] - stamp_ns))
        return nearest if abs(nearest_stamp - stamp_ns) <= tolerance_ns else None

    def __len__(self) -> int:
        return len(self._items)
