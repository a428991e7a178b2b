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

    def scoped(self, prefix: str) -> ProblemLog | ScopedProblems:
        """A view whose keys all start with ``prefix`` (one stream's problems: resolving one of its keys leaves
        other streams' alone); the log itself when ``prefix`` is empty."""
        return ScopedProblems(self, prefix) if prefix else self


class ScopedProblems:
    """``report``/``resolve``/``active`` of a ProblemLog restricted to keys under one prefix."""

    def __init__(self, log: ProblemLog, prefix: str) -> None:
        self._log = log
        self._prefix = prefix

    def report(self, key: str, message: str, level: str = "error") -> None:
        self._log.report(self._prefix + key, message, level)

    def resolve(self, key_prefix: str) -> None:
        self._log.resolve(self._prefix + key_prefix)

    def active(self) -> dict[str, str]:
        """This view's active problems, keys without the prefix."""
        return {key[len(self._prefix):]: message for key, message in self._log.active().items()
                if key.startswith(self._prefix)}
