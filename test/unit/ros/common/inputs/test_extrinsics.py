"""Sensor extrinsics: identity for one frame, parameter transforms both ways, and a clear error otherwise."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.transforms import apply, make_transform
from monodepth_ros.ros.common.inputs.extrinsics import ExtrinsicsSource, FrameNotAvailable

LIDAR_AXES_IN_CAMERA = np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])
"""Columns: the LiDAR's x (forward), y (left), z (up) in the camera's optical frame (z forward, y down)."""
CAMERA_FROM_LIDAR = make_transform(LIDAR_AXES_IN_CAMERA, [0.05, -0.1, 0.02])


@pytest.fixture
def extrinsics(test_nodes):
    return ExtrinsicsSource(test_nodes("extrinsics_test"), {("camera_optical", "lidar"): CAMERA_FROM_LIDAR})


def test_a_frame_to_itself_is_the_identity_even_when_unknown(extrinsics):
    np.testing.assert_array_equal(extrinsics.lookup("anywhere", "anywhere"), np.eye(4))


def test_a_parameter_transform_maps_points_both_ways(extrinsics):
    ahead_of_lidar = np.array([[2.0, 0.0, 0.0]])  # 2 m along the LiDAR's x (forward)
    in_camera = apply(extrinsics.lookup("camera_optical", "lidar"), ahead_of_lidar)
    np.testing.assert_allclose(in_camera, [[0.05, -0.1, 2.02]], atol=1e-6)  # forward is the optical z
    back = apply(extrinsics.lookup("lidar", "camera_optical"), in_camera)
    np.testing.assert_allclose(back, ahead_of_lidar, atol=1e-6)


def test_an_unknown_pair_raises_naming_the_frames_and_the_known_transforms(extrinsics):
    with pytest.raises(FrameNotAvailable) as raised:
        extrinsics.lookup("camera_optical", "radar")
    message = str(raised.value)
    assert "from 'radar' to 'camera_optical'" in message
    assert "known: lidar->camera_optical" in message
    if not extrinsics.uses_tf:
        assert "tf2_ros is not installed" in message


def test_without_parameter_transforms_the_error_says_none_are_known(test_nodes):
    with pytest.raises(FrameNotAvailable, match="known: none"):
        ExtrinsicsSource(test_nodes("extrinsics_empty"), {}).lookup("camera_optical", "lidar")
