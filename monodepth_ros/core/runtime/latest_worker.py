"""A worker thread that always processes the newest submitted item and drops older ones, and the start/stop of
such worker threads (WorkerThread, shared with batch_worker)."""
from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")


class WorkerThread:
    """One daemon thread running ``self._run`` from ``start`` to ``stop``; it can be started again. Subclasses keep
    their pending work under ``self._condition``, end ``_run`` once ``self._thread`` is no longer their thread,
    and forget the work not started yet in ``_drop_pending``."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True from ``start`` until ``stop``."""
        return self._thread is not None

    def start(self) -> None:
        """Start the thread (nothing happens while it runs already)."""
        with self._condition:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Drop the work not started yet, let the work in progress finish and end the thread; False when it is
        still busy after ``timeout_s`` (it then ends after that work, and nothing more is processed)."""
        with self._condition:
            thread, self._thread = self._thread, None
            self._drop_pending()
            self._condition.notify_all()
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    def _drop_pending(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError


class LatestItemWorker(WorkerThread, Generic[Item]):
    """Runs ``process`` on a background thread for the newest item; never builds a backlog.

    ``submit`` replaces an item that has not been started yet (counted in ``dropped``).
    Exceptions from ``process`` go to ``on_error`` and the worker keeps running.
    The thread runs from ``start`` (at construction unless ``start=False``) to ``stop``; it can be started
    again, and the counts carry on. Items submitted while it is stopped are ignored.
    """

    def __init__(self, process: Callable[[Item], None], on_error: Callable[[BaseException], None],
                 name: str = "latest-item-worker", start: bool = True) -> None:
        super().__init__(name)
        self._process = process
        self._on_error = on_error
        self._pending: Item | None = None
        self.dropped = 0
        self.processed = 0
        if start:
            self.start()

    def submit(self, item: Item) -> None:
        with self._condition:
            if self._thread is None:
                return
            if self._pending is not None:
                self.dropped += 1
            self._pending = item
            self._condition.notify()

    def _drop_pending(self) -> None:
        self._pending = None

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._condition:
                while self._pending is None and self._thread is me:
                    self._condition.wait()
                if self._thread is not me:
                    return
                item, self._pending = self._pending, None
            try:
                self._process(item)
            except Exception as error:  # noqa: BLE001 - reported, and the worker must survive
                self._on_error(error)
            self.processed += 1
