"""A short fuzz run per node (monodepth_ros.testing.fuzz): real node processes over real DDS take bursts of
malformed Image, CameraInfo, PointCloud2, Odometry messages and parameter updates, each followed by a good frame;
no crash, no hang, no wrong output, and no problem logged more than the bound allows. `make fuzz` runs >= 10,000."""
from __future__ import annotations

import pytest

from monodepth_ros.testing import fuzz

MESSAGES_PER_NODE = 300


@pytest.mark.parametrize("name", ["depth", "pointcloud", "fusion", "costmap"])
def test_malformed_messages_never_crash_hang_or_corrupt_the_output(ros_context, tmp_path, name):
    report = fuzz.fuzz_node(fuzz.targets()[name], MESSAGES_PER_NODE, seed=11, log_folder=tmp_path)
    log = (tmp_path / f"{report.node}.log").read_text()
    assert report.messages == MESSAGES_PER_NODE and len(report.kinds) >= 15
    assert report.crashes == 0, log[-3000:]
    assert report.hangs == 0, log[-3000:]
    assert report.wrong_outputs == 0, report.wrong_examples
    assert report.good_frames > MESSAGES_PER_NODE // fuzz.BURST
    assert report.max_lines_per_problem_minute <= fuzz.LOG_LINES_PER_PROBLEM_PER_MINUTE, report.noisiest_problem


def test_the_log_count_finds_a_problem_logged_every_frame():
    lines = "\n".join(f"[ERROR] [{1000.0 + index * 0.1:.6f}] [x.node]: image of {index} bytes is truncated"
                      for index in range(50))
    report = fuzz.FuzzReport("node")
    fuzz.count_log_lines(lines, report)
    assert (report.distinct_problems, report.max_lines_per_problem_minute, report.passed) == (1, 50, False)
