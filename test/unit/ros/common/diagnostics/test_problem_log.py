"""Problems are logged when they start, their repeats rate-limited with a count, their end once they stay away."""
from __future__ import annotations

import re

from monodepth_ros.ros.common.diagnostics.diagnostics import MAX_PROBLEMS_SHOWN, level_for
from monodepth_ros.ros.common.diagnostics.problem_log import MAX_MESSAGE_CHARS, ProblemLog


class RecordingLogger:
    def __init__(self):
        self.lines = []

    def error(self, message):
        self.lines.append(("error", message))

    def warning(self, message):
        self.lines.append(("warning", message))

    def info(self, message):
        self.lines.append(("info", message))


class Clock:
    def __init__(self):
        self.now_s = 100.0

    def __call__(self):
        return self.now_s


def make_log(**kwargs):
    logger, clock = RecordingLogger(), Clock()
    return ProblemLog(logger, clock=clock, **kwargs), logger, clock


def test_a_problem_is_logged_once_and_ends_once_a_good_input_comes_after_the_hold():
    problems, logger, clock = make_log(resolve_hold_s=1.0)
    for _ in range(5):
        problems.report("input", "bad encoding")
    problems.report("cloud", "truncated")
    assert logger.lines == [("error", "bad encoding"), ("error", "truncated")]
    problems.resolve("input")
    assert set(problems.active()) == {"input", "cloud"}, "a good input right after a bad one ends nothing"
    clock.now_s += 1.0
    problems.resolve("input")
    assert problems.active() == {"cloud": "truncated"}
    assert logger.lines[-1] == ("info", "resolved: bad encoding")


def test_a_fault_alternating_with_good_frames_logs_one_line_per_period_with_a_count():
    problems, logger, clock = make_log(repeat_period_s=20.0, resolve_hold_s=1.0)
    for frame in range(210):  # 10 Hz for 21 s, every other frame bad
        clock.now_s += 0.1
        if frame % 2:
            problems.report("input", f"image of {frame} bytes is truncated")
        else:
            problems.resolve("input")
    assert len(logger.lines) == 2, logger.lines
    assert logger.lines[0] == ("error", "image of 1 bytes is truncated")
    assert re.search(r"repeated 10[01] times in the last 20 s", logger.lines[1][1]), logger.lines[1]
    assert problems.active() == {"input": "image of 209 bytes is truncated"}, "the newest text is shown"


def test_a_problem_that_returns_soon_after_its_end_is_not_logged_again():
    problems, logger, clock = make_log(repeat_period_s=20.0, resolve_hold_s=1.0)
    for _ in range(10):  # bad, then good 1.5 s later, every 3 s
        problems.report("lidar", "no cloud", "warning")
        clock.now_s += 1.5
        problems.resolve("lidar")
        clock.now_s += 1.5
    assert logger.lines[:2] == [("warning", "no cloud"), ("info", "resolved: no cloud")]
    assert len(logger.lines) <= 4, logger.lines


def test_the_table_and_its_messages_are_bounded():
    problems, _, clock = make_log(max_problems=8)
    for index in range(1500):
        clock.now_s += 0.01
        problems.report(f"encoding:{index}", "unknown encoding " + "x" * 1000)
    active = problems.active()
    assert len(active) == 8 and "encoding:1499" in active
    assert all(len(message) <= MAX_MESSAGE_CHARS for message in active.values())
    level, message = level_for(active, rate_hz=0.0)
    assert len(message) < (MAX_PROBLEMS_SHOWN + 1) * MAX_MESSAGE_CHARS and message.endswith("(+5 more)")


def test_another_kind_of_fault_in_the_same_input_is_logged_at_once():
    problems, logger, clock = make_log()
    for encoding in ("bgr9", "rgb17", "x" * 40):
        problems.report("input", f"unknown encoding '{encoding}'")
    clock.now_s += 0.1
    problems.report("input", "CameraInfo K is all zeros: the camera is not calibrated")
    assert [message for _, message in logger.lines] == ["unknown encoding 'bgr9'",
                                                         "CameraInfo K is all zeros: the camera is not calibrated"]
    assert problems.active() == {"input": "CameraInfo K is all zeros: the camera is not calibrated"}
