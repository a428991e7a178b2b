"""The newest-item worker thread."""
from __future__ import annotations

import threading
import time

from monodepth_ros.core.runtime.latest_worker import LatestItemWorker


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


def test_stop_lets_the_item_in_progress_finish_and_a_stopped_worker_ignores_items_until_started_again():
    started, release, processed = threading.Event(), threading.Event(), []

    def slow(item):
        started.set()
        release.wait(5.0)
        processed.append(item)

    worker = LatestItemWorker(slow, on_error=lambda error: None, start=False)
    worker.submit("before start")
    assert not worker.running and worker.processed == 0
    worker.start()
    worker.submit(1)
    assert started.wait(5.0)
    worker.submit(2)  # waiting: dropped by stop
    threading.Timer(0.2, release.set).start()
    assert worker.stop(timeout_s=5.0), "stop returns once the item in progress is done"
    assert processed == [1] and not worker.running
    worker.submit(3)
    time.sleep(0.1)
    assert processed == [1], "a stopped worker ignores items"
    worker.start()
    worker.submit(4)
    deadline = time.monotonic() + 5.0
    while worker.processed < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    assert processed == [1, 4] and worker.processed == 2, "a restarted worker goes on counting"


def test_stop_reports_a_worker_still_busy_after_the_timeout():
    release = threading.Event()
    worker = LatestItemWorker(lambda item: release.wait(5.0), on_error=lambda error: None)
    worker.submit(1)
    time.sleep(0.1)
    assert worker.stop(timeout_s=0.1) is False
    release.set()
