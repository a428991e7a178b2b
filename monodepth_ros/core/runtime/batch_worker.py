"""A worker thread that processes, in batches, the newest submitted item of each of several streams."""
from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Callable, Generic, TypeVar

from monodepth_ros.core.runtime.latest_worker import WorkerThread

Item = TypeVar("Item")


class NewestPerKeyBatchWorker(WorkerThread, Generic[Item]):
    """Runs ``process_batch`` on a background thread for the newest item of each stream; never builds a backlog.

    Items belong to the stream ``key_of(item)``. ``submit`` replaces an item of the same stream that has not been
    started yet (counted in ``dropped`` and ``dropped_by_key``). Once an item is pending the worker waits up to
    ``window_s()`` seconds (or until every one of ``stream_count`` streams has an item) for the other streams,
    then hands all pending items, in submission order, to one ``process_batch`` call. Exceptions from
    ``process_batch`` go to ``on_error`` and the worker keeps running. Start, stop and the counts behave as in
    ``LatestItemWorker``: the thread runs from ``start`` to ``stop``, and items submitted while stopped are ignored.
    """

    def __init__(self, process_batch: Callable[[list[Item]], None], on_error: Callable[[BaseException], None],
                 key_of: Callable[[Item], Hashable], stream_count: int, window_s: Callable[[], float],
                 name: str = "batch-worker", start: bool = True) -> None:
        if stream_count < 1:
            raise ValueError(f"stream_count must be at least 1, got {stream_count}")
        super().__init__(name)
        self._process_batch = process_batch
        self._on_error = on_error
        self._key_of = key_of
        self._stream_count = stream_count
        self._window_s = window_s
        self._pending: dict[Hashable, Item] = {}
        self._first_pending_at: float | None = None
        self.dropped = 0
        self.processed = 0
        self.batches = 0
        self.dropped_by_key: dict[Hashable, int] = {}
        if start:
            self.start()

    def submit(self, item: Item) -> None:
        key = self._key_of(item)
        with self._condition:
            if self._thread is None:
                return
            if key in self._pending:
                self.dropped += 1
                self.dropped_by_key[key] = self.dropped_by_key.get(key, 0) + 1
                del self._pending[key]  # re-inserted last: the batch keeps submission order
            elif not self._pending:
                self._first_pending_at = time.monotonic()
            self._pending[key] = item
            self._condition.notify_all()

    def _drop_pending(self) -> None:
        self._pending = {}

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._condition:
                while self._thread is me and not self._batch_ready():
                    self._condition.wait(self._wait_s())
                if self._thread is not me:
                    return
                batch, self._pending = list(self._pending.values()), {}
            try:
                self._process_batch(batch)
            except Exception as error:  # noqa: BLE001 - reported, and the worker must survive
                self._on_error(error)
            self.processed += len(batch)
            self.batches += 1

    def _batch_ready(self) -> bool:
        """True when items are pending and either every stream has one or the window since the first has passed."""
        if not self._pending:
            return False
        return len(self._pending) >= self._stream_count or self._wait_s() == 0.0

    def _wait_s(self) -> float | None:
        """Seconds left of the window (0 when it has passed); None (wait for a submit) while nothing is pending."""
        if not self._pending:
            return None
        return max(0.0, self._first_pending_at + self._window_s() - time.monotonic())
