"""A worker thread that always processes the newest submitted item and drops older ones."""
from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")


class LatestItemWorker(Generic[Item]):
    """Runs ``process`` on a background thread for the newest item; never builds a backlog.

    ``submit`` replaces an item that has not been started yet (counted in ``dropped``).
    Exceptions from ``process`` go to ``on_error`` and the worker keeps running.
    """

    def __init__(self, process: Callable[[Item], None], on_error: Callable[[BaseException], None],
                 name: str = "latest-item-worker") -> None:
        self._process = process
        self._on_error = on_error
        self._condition = threading.Condition()
        self._pending: Item | None = None
        self._stopping = False
        self.dropped = 0
        self.processed = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: Item) -> None:
        with self._condition:
            if self._pending is not None:
                self.dropped += 1
            self._pending = item
            self._condition.notify()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                item, self._pending = self._pending, None
            try:
                self._process(item)
            except Exception as error:  # noqa: BLE001 - reported, and the worker must survive
                self._on_error(error)
            self.processed += 1
