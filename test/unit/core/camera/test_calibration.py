"""camera_info_manager calibration files and the field-of-view approximation."""
from __future__ import annotations

import math

import numpy as np
import pytest

from monodepth_ros.core.camera.calibration import calibration_from_fov, load_camera_calibration

CALIBRATION = """\
image_width: 640
image_height: 480
camera_name: narrow_stereo
camera_matrix:
  rows: 3
  cols: 3
  data: [520.5, 0.0, 321.2, 0.0, 521.7, 238.9, 0.0, 0.0, 1.0]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [0.1, -0.2, 0.001, 0.002, 0.0]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
projection_matrix:
  rows: 3
  cols: 4
  data: [515.0, 0.0, 320.0, 0.0, 0.0, 516.0, 240.0, 0.0, 0.0, 0.0, 1.0, 0.0]
"""


def test_a_camera_info_manager_file_is_read_in_full(tmp_path):
    path = tmp_path / "camera.yaml"
    path.write_text(CALIBRATION)
    calibration = load_camera_calibration(f"file://{path}")
    assert (calibration.width, calibration.height, calibration.camera_name) == (640, 480, "narrow_stereo")
    assert calibration.k[0, 0] == 520.5 and calibration.k[1, 2] == 238.9
    assert calibration.d == (0.1, -0.2, 0.001, 0.002, 0.0)
    assert calibration.projection[1, 1] == 516.0 and calibration.projection.shape == (3, 4)


def test_missing_or_malformed_files_fail_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="cannot read camera calibration"):
        load_camera_calibration(tmp_path / "absent.yaml")
    bad_matrix = tmp_path / "bad.yaml"
    bad_matrix.write_text(CALIBRATION.replace("cols: 3\n  data: [520.5", "cols: 2\n  data: [520.5"))
    with pytest.raises(ValueError, match="camera_matrix' must be 3x3"):
        load_camera_calibration(bad_matrix)
    no_size = tmp_path / "no_size.yaml"
    no_size.write_text(CALIBRATION.replace("image_width: 640\n", ""))
    with pytest.raises(ValueError, match="image_width and image_height"):
        load_camera_calibration(no_size)


def test_the_fov_approximation_sees_the_image_edges_at_half_the_field_of_view():
    calibration = calibration_from_fov(640, 480, 90.0)
    k = calibration.k
    assert k[0, 0] == k[1, 1] == pytest.approx(320.0)
    edge_angle = math.degrees(math.atan((639.5 - k[0, 2]) / k[0, 0]))
    assert edge_angle == pytest.approx(45.0, abs=0.1)
    np.testing.assert_allclose(calibration.projection[:, :3], k)
    with pytest.raises(ValueError, match="field of view"):
        calibration_from_fov(640, 480, 180.0)
