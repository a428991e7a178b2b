"""Cloud coordinates of an integer type are read as metres with one warning per topic."""
from __future__ import annotations

import numpy as np
from std_msgs.msg import Header

from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.common.inputs.cloud_input import cloud_xyz
from monodepth_ros.ros.conversions.pointcloud2 import array_to_pointcloud2, xyz_to_pointcloud2


class RecordingLogger:
    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []

    def warning(self, message: str) -> None:
        self.records.append(("warning", message))


def test_integer_coordinates_are_read_as_metres_with_one_warning():
    points = np.zeros(3, dtype=[("x", np.int16), ("y", np.int16), ("z", np.int16)])
    points["x"] = [1, 2, 3]
    cloud = array_to_pointcloud2(points, Header(frame_id="lidar"))
    logger = RecordingLogger()
    problems = ProblemLog(logger)
    for _ in range(5):
        xyz = cloud_xyz(cloud, problems, "/points")
    np.testing.assert_array_equal(xyz[:, 0], [1.0, 2.0, 3.0])
    assert len(logger.records) == 1 and "integer coordinates x (int16)" in logger.records[0][1]
    assert problems.active() == {}, "a lasting fact, not a problem that ends"


def test_float_coordinates_warn_nothing():
    logger = RecordingLogger()
    cloud_xyz(xyz_to_pointcloud2(np.ones((2, 3), np.float32), Header()), ProblemLog(logger), "/points")
    assert logger.records == []
