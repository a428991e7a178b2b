"""Problems are logged once until resolved."""
from __future__ import annotations

from monodepth_ros.ros.common.problem_log import ProblemLog


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


def test_scoped_views_keep_each_streams_problems_apart():
    logger = RecordingLogger()
    problems = ProblemLog(logger)
    front, left = problems.scoped("front/"), problems.scoped("left/")
    front.report("input:a", "bad frame on front")
    left.report("input:a", "bad frame on left")
    front.report("input:a", "bad frame on front")
    assert [message for _, message in logger.lines] == ["bad frame on front", "bad frame on left"]
    front.resolve("input:")
    assert problems.active() == {"left/input:a": "bad frame on left"}
    assert left.active() == {"input:a": "bad frame on left"} and front.active() == {}
    assert problems.scoped("") is problems
