"""Log a problem once when it starts and once when it ends, never per frame."""
from __future__ import annotations

import threading


class ProblemLog:
    """Tracks active problems by key; ``report`` logs only the first occurrence of each."""

    def __init__(self, logger) -> None:
        self._logger = logger
        self._active: dict[str, str] = {}
        self._lock = threading.Lock()

    def report(self, key: str, message: str, level: str = "error") -> None:
        """Log ``message`` at ``level`` ('error' or 'warning') unless ``key`` is already active."""
        with self._lock:
            if key in self._active:
                return
            self._active[key] = message
        if level == "warning":
            self._logger.warning(message)
        else:
            self._logger.error(message)

    def resolve(self, key_prefix: str) -> None:
        """End every active problem whose key starts with ``key_prefix``."""
        with self._lock:
            ended = [self._active.pop(key) for key in list(self._active) if key.startswith(key_prefix)]
        for message in ended:
            self._logger.info(f"resolved: {message}")

    def active(self) -> dict[str, str]:
        """Problems not resolved yet, key -> message."""
        with self._lock:
            return dict(self._active)
