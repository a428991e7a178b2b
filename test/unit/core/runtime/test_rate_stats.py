"""Rolling rate and latency statistics."""
from __future__ import annotations

from monodepth_ros.core.runtime.rate_stats import RateLatencyStats


def test_rate_and_median_latency_over_the_window():
    stats = RateLatencyStats(window_s=2.0)
    for index, latency in enumerate([10.0, 30.0, 20.0, 40.0]):
        stats.record(latency, now_s=100.0 + index * 0.5)
    assert stats.rate_hz(now_s=101.5) == 2.0
    assert stats.median_latency_ms() == 25.0
    assert stats.rate_hz(now_s=110.0) == 0.0
