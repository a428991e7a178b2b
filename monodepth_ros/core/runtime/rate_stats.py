"""Rolling output rate and latency statistics for diagnostics."""
from __future__ import annotations

import collections
import statistics
import threading
import time


class RateLatencyStats:
    """Rate (Hz) and median latency (ms) over the last ``window_s`` seconds. Thread-safe."""

    def __init__(self, window_s: float = 5.0) -> None:
        self._window_s = window_s
        self._events: collections.deque[tuple[float, float]] = collections.deque()
        self._lock = threading.Lock()

    def record(self, latency_ms: float, now_s: float | None = None) -> None:
        now_s = time.monotonic() if now_s is None else now_s
        with self._lock:
            self._events.append((now_s, latency_ms))
            self._trim(now_s)

    def rate_hz(self, now_s: float | None = None) -> float:
        now_s = time.monotonic() if now_s is None else now_s
        with self._lock:
            self._trim(now_s)
            return len(self._events) / self._window_s

    def median_latency_ms(self) -> float:
        """Median latency of the events in the window; NaN when there are none."""
        with self._lock:
            if not self._events:
                return float("nan")
            return statistics.median(latency for _, latency in self._events)

    def _trim(self, now_s: float) -> None:
        while self._events and self._events[0][0] < now_s - self._window_s:
            self._events.popleft()
