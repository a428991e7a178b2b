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
