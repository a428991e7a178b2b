"""Problems are logged once until resolved."""
from __future__ import annotations

from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog


class RecordingLogger:
    def __init__(self):
        self.lines = []

    def error(self, message):
        self.lines.append(("error", message))

    def info(self, message):
        self.lines.append(("info", message))


def test_problems_are_logged_once_until_resolved():
    logger = RecordingLogger()
    problems = ProblemLog(logger)
    for _ in range(5):
        problems.report("input:a", "bad encoding")
    problems.report("input:b", "truncated")
    assert logger.lines == [("error", "bad encoding"), ("error", "truncated")]
    problems.resolve("input:")
    assert problems.active() == {}
    assert [level for level, _ in logger.lines[2:]] == ["info", "info"]
    problems.report("input:a", "bad encoding")
    assert logger.lines[-1] == ("error", "bad encoding")
