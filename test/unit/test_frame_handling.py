"""Newest-frame worker, stamp pairing and rate statistics."""
from __future__ import annotations

import threading
import time

from monodepth_ros.core.latest_worker import LatestItemWorker
from monodepth_ros.core.rate_stats import RateLatencyStats
from monodepth_ros.core.stamped_buffer import StampedBuffer


def test_worker_processes_the_newest_item_and_drops_the_backlog():
    release = threading.Event()
    processed = []

    def slow(item):
        processed.append(item)
        release.wait(5.0)

    worker = LatestItemWorker(slow, on_error=lambda error: None)
    worker.submit(0)
    time.sleep(0.1)
    for item in range(1, 6):
        worker.submit(item)
    release.set()
    deadline = time.monotonic() + 5.0
    while worker.processed < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    assert processed == [0, 5]
    assert worker.dropped == 4


def test_worker_survives_exceptions_and_reports_them():
    errors = []
    done = threading.Event()

    def process(item):
        if item == "bad":
            raise ValueError("broken frame")
        done.set()

    worker = LatestItemWorker(process, on_error=errors.append)
    worker.submit("bad")
    time.sleep(0.1)
    worker.submit("good")
    assert done.wait(5.0)
    worker.stop()
    assert [str(error) for error in errors] == ["broken frame"]


def test_stamp_pairing_takes_the_nearest_within_tolerance():
    buffer: StampedBuffer[str] = StampedBuffer(capacity=3)
    for stamp in (100, 200, 300, 400):
        buffer.add(stamp, f"info{stamp}")
    assert len(buffer) == 3
    assert buffer.match(310, tolerance_ns=20) == "info300"
    assert buffer.match(250, tolerance_ns=10) is None
    assert buffer.match(100, tolerance_ns=10) is None, "evicted beyond capacity"


def test_latest_is_the_last_added_item():
    buffer: StampedBuffer[str] = StampedBuffer()
    assert buffer.latest() is None
    buffer.add(500, "newer stamp")
    buffer.add(100, "added last")
    assert buffer.latest() == "added last"


def test_stamp_pairing_waits_for_a_late_item():
    buffer: StampedBuffer[str] = StampedBuffer()
    threading.Timer(0.05, buffer.add, args=(1000, "late")).start()
    assert buffer.match(1000, tolerance_ns=0, wait_s=2.0) == "late"
    started = time.monotonic()
    assert buffer.match(5000, tolerance_ns=0, wait_s=0.1) is None
    assert time.monotonic() - started >= 0.1


def test_a_frame_handled_before_its_camera_info_arrives_gets_its_own_not_the_previous_one():
    buffer: StampedBuffer[str] = StampedBuffer()
    buffer.add(1000, "previous frame's")
    threading.Timer(0.05, buffer.add, args=(2000, "own")).start()
    assert buffer.match_or_latest(2000, tolerance_ns=0, wait_s=2.0) == "own"


def test_a_stream_whose_stamps_never_match_falls_back_to_the_newest_and_stops_waiting():
    buffer: StampedBuffer[str] = StampedBuffer()
    buffer.add(1000, "offset stamp")
    started = time.monotonic()
    assert buffer.match_or_latest(5000, tolerance_ns=0, wait_s=0.2) == "offset stamp"
    assert time.monotonic() - started >= 0.2, "waited once"
    started = time.monotonic()
    assert buffer.match_or_latest(6000, tolerance_ns=0, wait_s=0.2) == "offset stamp"
    assert time.monotonic() - started < 0.1, "no wait while stamps do not match"
    buffer.add(7000, "in step again")
    assert buffer.match_or_latest(7000, tolerance_ns=0, wait_s=0.2) == "in step again"
    threading.Timer(0.05, buffer.add, args=(8000, "late again")).start()
    assert buffer.match_or_latest(8000, tolerance_ns=0, wait_s=2.0) == "late again", "waits once in step"


def test_rate_and_median_latency_over_the_window():
    stats = RateLatencyStats(window_s=2.0)
    for index, latency in enumerate([10.0, 30.0, 20.0, 40.0]):
        stats.record(latency, now_s=100.0 + index * 0.5)
    assert stats.rate_hz(now_s=101.5) == 2.0
    assert stats.median_latency_ms() == 25.0
    assert stats.rate_hz(now_s=110.0) == 0.0
