"""The newest-item-per-stream batch worker."""
from __future__ import annotations

import threading
import time

import pytest

from monodepth_ros.core.runtime.batch_worker import NewestPerKeyBatchWorker


def _key(item: tuple[str, int]) -> str:
    return item[0]


def _wait_for(condition, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def test_each_stream_keeps_only_its_newest_item_and_all_pending_streams_form_one_batch():
    release = threading.Event()
    batches = []

    def slow(batch):
        batches.append(batch)
        release.wait(5.0)

    worker = NewestPerKeyBatchWorker(slow, lambda error: None, _key, stream_count=3, window_s=lambda: 0.0)
    worker.submit(("front", 0))
    assert _wait_for(lambda: len(batches) == 1)
    for index in range(1, 4):
        for camera in ("left", "front", "right"):
            worker.submit((camera, index))
    release.set()
    assert _wait_for(lambda: worker.processed == 4)
    worker.stop()
    assert batches == [[("front", 0)], [("left", 3), ("front", 3), ("right", 3)]]
    assert worker.dropped == 6 and worker.dropped_by_key == {"left": 2, "front": 2, "right": 2}
    assert worker.batches == 2


def test_the_window_waits_for_the_other_streams_and_ends_early_once_every_stream_has_an_item():
    batches = []
    worker = NewestPerKeyBatchWorker(batches.append, lambda error: None, _key, stream_count=2, window_s=lambda: 2.0)
    started = time.monotonic()
    worker.submit(("front", 0))
    time.sleep(0.1)
    assert batches == [], "within the window the worker waits for the other camera"
    worker.submit(("left", 0))
    assert _wait_for(lambda: len(batches) == 1)
    assert time.monotonic() - started < 1.0, "both cameras sent a frame: no need to wait out the window"
    assert batches == [[("front", 0), ("left", 0)]]
    worker.stop()


def test_a_stream_that_sends_nothing_delays_the_others_by_the_window_only():
    batches = []
    worker = NewestPerKeyBatchWorker(batches.append, lambda error: None, _key, stream_count=3, window_s=lambda: 0.15)
    started = time.monotonic()
    worker.submit(("front", 0))
    assert _wait_for(lambda: len(batches) == 1)
    waited_s = time.monotonic() - started
    worker.stop()
    assert batches == [[("front", 0)]]
    assert 0.14 <= waited_s < 1.0


def test_errors_are_reported_and_the_worker_goes_on_and_stop_drops_pending_items():
    errors, done = [], []

    def process(batch):
        if batch[0][1] == "bad":
            raise ValueError("broken batch")
        done.append(batch)

    worker = NewestPerKeyBatchWorker(process, errors.append, _key, stream_count=1, window_s=lambda: 0.0)
    worker.submit(("front", "bad"))
    assert _wait_for(lambda: worker.processed == 1)
    worker.submit(("front", "good"))
    assert _wait_for(lambda: worker.processed == 2)
    assert [str(error) for error in errors] == ["broken batch"] and done == [[("front", "good")]]
    assert worker.stop()
    assert not worker.running
    worker.submit(("front", "ignored"))
    time.sleep(0.05)
    assert worker.processed == 2


def test_stream_count_must_be_positive():
    with pytest.raises(ValueError, match="stream_count"):
        NewestPerKeyBatchWorker(lambda batch: None, lambda error: None, _key, stream_count=0, window_s=lambda: 0.0)
