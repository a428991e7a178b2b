"""Log a problem when it starts, its repeats at most once per period with a count, and its end once it has
stayed away for a while: never per frame, however the fault alternates with good frames or its text varies."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Callable

REPEAT_LOG_PERIOD_S = 20.0
"""A problem still under way is logged again (with the count of its repeats) at most once per this period; a
problem that comes back within it after its end is not logged at its return (seconds)."""
RESOLVE_HOLD_S = 1.0
"""A problem ends only when a good input comes at least this long after its last report, so that a fault
alternating with good frames stays one problem (seconds)."""
MAX_PROBLEMS = 32
"""Most problems kept at once; beyond it the one reported longest ago is dropped (without a log line)."""
MAX_MESSAGE_CHARS = 300
"""Longer messages (which may quote a malformed input) are cut to this many characters."""
VARYING_TEXT = re.compile(r"'[^']*'|\"[^\"]*\"|[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
"""Quoted names and numbers: the parts of a message that vary between repeats of one problem."""


def problem_signature(message: str) -> str:
    """``message`` without its quoted names and numbers: two messages with the same signature tell of the same
    problem (an unknown encoding, whatever its name; a truncated image, whatever its size)."""
    return VARYING_TEXT.sub("#", message)


@dataclass
class _Problem:
    message: str
    level: str
    last_report_s: float
    last_log_s: float
    logged: bool
    """Whether its start (or a repeat) was logged, which is when its end is logged too."""
    repeats: int = 0
    """Reports since the last log line."""


class ProblemLog:
    """Active problems by key, a category such as 'input', 'cloud' or 'processing:ValueError', and within it by
    the signature of the message (problem_signature), whose latest text is kept: one problem whatever the names
    and numbers it quotes, another for another kind of fault in the same input.

    ``report`` logs the start of a problem, then at most one line per ``repeat_period_s`` ("... (repeated N times
    in the last T s)"); ``resolve`` ends it once no report came for ``resolve_hold_s``. ``active`` lists the
    problems under way; at most ``max_problems`` are kept.
    """

    def __init__(self, logger, repeat_period_s: float = REPEAT_LOG_PERIOD_S, resolve_hold_s: float = RESOLVE_HOLD_S,
                 max_problems: int = MAX_PROBLEMS, clock: Callable[[], float] = time.monotonic) -> None:
        self._logger = logger
        self._repeat_period_s = repeat_period_s
        self._resolve_hold_s = resolve_hold_s
        self._max_problems = max_problems
        self._clock = clock
        self._active: dict[tuple[str, str], _Problem] = {}
        self._last_logged: dict[tuple[str, str], float] = {}
        """When each problem ended recently was last logged (its return within the period is not)."""
        self._noted: set[str] = set()
        self._lock = threading.Lock()

    def report(self, key: str, message: str, level: str = "error") -> None:
        """Record problem ``key`` with ``message`` at ``level`` ('error' or 'warning'); logs its start, or a repeat
        once per period."""
        message = message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS - 3] + "..."
        key = (key, problem_signature(message))
        now = self._clock()
        line = None
        with self._lock:
            problem = self._active.get(key)
            if problem is None:
                last_logged = self._last_logged.pop(key, None)
                if last_logged is not None and now - last_logged < self._repeat_period_s:
                    problem = _Problem(message, level, now, last_logged, logged=False, repeats=1)
                else:
                    problem = _Problem(message, level, now, now, logged=True)
                    line = message
                self._add(key, problem)
            else:
                problem.message, problem.level, problem.last_report_s = message, level, now
                problem.repeats += 1
                if now - problem.last_log_s >= self._repeat_period_s:
                    line = (f"{message} (repeated {problem.repeats} times in the last "
                            f"{now - problem.last_log_s:.0f} s)")
                    problem.last_log_s, problem.repeats, problem.logged = now, 0, True
        if line is None:
            return
        if level == "warning":  # one call site per severity: rclpy's loggers insist on it
            self._logger.warning(line)
        else:
            self._logger.error(line)

    def note(self, key: str, message: str) -> None:
        """Warn with ``message`` the first time ``key`` is noted, never again: a lasting fact about an input
        (integer point fields taken for metres), not a problem that ends."""
        with self._lock:
            if key in self._noted or len(self._noted) >= self._max_problems:
                return
            self._noted.add(key)
        self._logger.warning(message)

    def resolve(self, key_prefix: str) -> None:
        """End the problems whose key starts with ``key_prefix`` and that were not reported for the hold time."""
        now = self._clock()
        with self._lock:
            ended = [key for key, problem in self._active.items()
                     if key[0].startswith(key_prefix) and now - problem.last_report_s >= self._resolve_hold_s]
            lines = []
            for key in ended:
                problem = self._active.pop(key)
                self._last_logged[key] = problem.last_log_s
                if problem.logged:
                    lines.append(f"resolved: {problem.message}")
            self._forget_old_endings(now)
        for line in lines:
            self._logger.info(line)

    def active(self) -> dict[str, str]:
        """Problems under way, key -> its latest message, the most recently reported first."""
        with self._lock:
            ordered = sorted(self._active.items(), key=lambda item: -item[1].last_report_s)
            newest: dict[str, str] = {}
            for (key, _), problem in ordered:
                newest.setdefault(key, problem.message)
            return newest

    def _add(self, key: tuple[str, str], problem: _Problem) -> None:
        if len(self._active) >= self._max_problems:
            oldest = min(self._active, key=lambda each: self._active[each].last_report_s)
            del self._active[oldest]
        self._active[key] = problem

    def _forget_old_endings(self, now: float) -> None:
        if len(self._last_logged) > self._max_problems:
            for key in [key for key, logged in self._last_logged.items() if now - logged >= self._repeat_period_s]:
                del self._last_logged[key]
        while len(self._last_logged) > self._max_problems:
            del self._last_logged[next(iter(self._last_logged))]
