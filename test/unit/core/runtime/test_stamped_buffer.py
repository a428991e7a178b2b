"""Pairing by stamp: nearest within a tolerance, waiting for a late item, falling back to the newest."""
from __future__ import annotations

import threading
import time

from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer


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
