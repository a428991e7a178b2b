"""GroundPlaneScale and ScaleSource: metric scale from the floor at the camera's known height, without LiDAR."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.transforms import transform_from_pose7
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.fusion.config import GroundScaleConfig
from monodepth_ros.core.fusion.ground_plane_scale import GroundPlaneScale, ground_inverse_depth
from monodepth_ros.core.fusion.scale_fusion import FusionStatus
from monodepth_ros.core.fusion.scale_source import ScaleSource

HEIGHT, WIDTH = 120, 160
INTRINSICS = Intrinsics(fx=100.0, fy=100.0, cx=79.5, cy=59.5, width=WIDTH, height=HEIGHT)
CAMERA_IN_BASE = transform_from_pose7([0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5])
"""Optical frame 0.5 m above the floor, looking level along base x."""
LOOKING_UP = transform_from_pose7([0.1, 0.0, 0.5, -0.2705981, 0.2705981, -0.6532815, 0.6532815])
"""The same camera pitched 45 degrees up: the floor is out of view."""


def room(box_depth_m: float = 2.0) -> np.ndarray:
    """True depth float32 (H, W): the floor below the horizon up to a wall 6 m ahead, a box at ``box_depth_m``
    in the columns 60..99 standing on the floor and 0.4 m tall."""
    rows = np.arange(HEIGHT, dtype=np.float64)[:, None] - INTRINSICS.cy
    with np.errstate(divide="ignore"):
        floor = np.where(rows > 0.0, INTRINSICS.fy * 0.5 / rows, np.inf)
    depth = np.broadcast_to(np.minimum(floor, 6.0), (HEIGHT, WIDTH)).astype(np.float32).copy()
    box_top_row = INTRINSICS.cy + INTRINSICS.fy * (0.5 - 0.4) / box_depth_m
    box_bottom_row = INTRINSICS.cy + INTRINSICS.fy * 0.5 / box_depth_m
    box = (rows >= box_top_row - INTRINSICS.cy) & (rows <= box_bottom_row - INTRINSICS.cy)
    depth[:, 60:100][np.broadcast_to(box, (HEIGHT, 1)).repeat(40, axis=1)] = box_depth_m
    return depth


def test_the_floor_meets_each_ray_at_the_camera_height():
    rows, columns, inverse = ground_inverse_depth(INTRINSICS, CAMERA_IN_BASE, 1)
    assert rows.min() == 60, "only rows below the horizon"
    truth = room(box_depth_m=100.0)
    np.testing.assert_allclose(1.0 / inverse[rows >= 80], truth[rows[rows >= 80], columns[rows >= 80]], rtol=1e-5)
    with pytest.raises(ValueError, match="above"):
        ground_inverse_depth(INTRINSICS, transform_from_pose7([0.0, 0.0, -0.1, 0.0, 0.0, 0.0, 1.0]), 1)


@pytest.mark.parametrize("wrong_scale", [0.5, 1.7])
def test_a_metric_prediction_is_scaled_to_the_floor(wrong_scale):
    truth = room()
    result = GroundPlaneScale().fuse(truth * np.float32(wrong_scale), DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE,
                                     0.0)
    assert result.status is FusionStatus.GROUND_PLANE and result.reason == ""
    assert result.scale == pytest.approx(1.0 / wrong_scale, rel=0.01)
    assert 0.5 < result.confidence <= 1.0
    assert depth_metrics(result.depth, truth)["abs_rel"] < 0.01


def test_a_relative_inverse_prediction_gets_scale_and_shift_from_the_floor():
    truth = room()
    relative = ((1.0 / truth) - 0.05) / 0.2
    result = GroundPlaneScale().fuse(relative.astype(np.float32), DepthKind.RELATIVE_INVERSE, INTRINSICS,
                                     CAMERA_IN_BASE, 0.0)
    assert result.status is FusionStatus.GROUND_PLANE
    assert (result.scale, result.shift) == (pytest.approx(0.2, rel=0.02), pytest.approx(0.05, abs=0.005))
    assert depth_metrics(result.depth, truth)["abs_rel"] < 0.02


def test_without_ground_the_last_scale_is_held_for_hold_s_then_depth_passes_unscaled():
    truth = room()
    ground = GroundPlaneScale(GroundScaleConfig(hold_s=1.0))
    assert ground.fuse(truth * 2.0, DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE, 0.0).scale == pytest.approx(0.5,
                                                                                                          rel=0.01)
    held = ground.fuse(truth * 2.0, DepthKind.METRIC, INTRINSICS, LOOKING_UP, 0.8)
    assert held.status is FusionStatus.HELD and held.scale == pytest.approx(0.5, rel=0.01)
    assert held.reason.startswith("no ground plane among") and "0.80 s ago" in held.reason
    expired = ground.fuse(truth * 2.0, DepthKind.METRIC, INTRINSICS, LOOKING_UP, 1.2)
    assert expired.status is FusionStatus.PASSTHROUGH and expired.scale == 1.0
    assert "no ground fit in the last 1 s" in expired.reason
    np.testing.assert_allclose(expired.depth, truth * 2.0)
    relative = GroundPlaneScale().fuse(1.0 / truth, DepthKind.RELATIVE_INVERSE, INTRINSICS, None, 0.0,
                                       "no transform from 'camera' to 'base_link'")
    assert relative.status is FusionStatus.NO_DEPTH and np.isnan(relative.depth).all()
    assert relative.reason.startswith("no transform from 'camera' to 'base_link'")


def test_a_floor_covered_by_obstacles_gives_no_fit():
    cluttered = np.full((HEIGHT, WIDTH), 1.0, np.float32)
    result = GroundPlaneScale().fuse(cluttered, DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE, 0.0)
    assert result.status is FusionStatus.PASSTHROUGH and result.confidence == 0.0


def test_scale_sources_lidar_wins_when_present_and_the_ground_plane_takes_over_without_it():
    truth = room()
    prediction = truth * np.float32(1.6)
    lidar = sparse_from_beams(truth * np.float32(1.1), 16, column_step=2)
    """A LiDAR that disagrees with the floor by 10 %, so that the source of the scale shows."""
    both = ScaleSource("lidar_then_ground")
    with_lidar = both.fuse(prediction, DepthKind.METRIC, lidar, INTRINSICS, CAMERA_IN_BASE, 0.0)
    assert with_lidar.status is FusionStatus.FUSED and with_lidar.scale == pytest.approx(1.1 / 1.6, rel=0.02)
    without = both.fuse(prediction, DepthKind.METRIC, None, INTRINSICS, CAMERA_IN_BASE, 0.2)
    assert without.status is FusionStatus.GROUND_PLANE and without.scale == pytest.approx(1.0 / 1.6, rel=0.02)
    only_lidar = ScaleSource("lidar").fuse(prediction, DepthKind.METRIC, None, INTRINSICS, CAMERA_IN_BASE, 0.4)
    assert only_lidar.status is FusionStatus.PASSTHROUGH
    only_ground = ScaleSource("ground_plane")
    assert not only_ground.uses_lidar and only_ground.uses_ground
    assert only_ground.fuse(prediction, DepthKind.METRIC, lidar, INTRINSICS, CAMERA_IN_BASE, 0.0).status \
        is FusionStatus.GROUND_PLANE
    with pytest.raises(ValueError, match="scale source must be one of lidar, ground_plane, lidar_then_ground"):
        ScaleSource("sonar")


def room_image() -> np.ndarray:
    """uint8 (H, W, 3) of room(): a beige and grey checkered floor up to the wall, a purple box, a green wall."""
    rgb = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    rgb[:] = (40, 140, 60)
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH]
    checker = ((rows // 6 + columns // 12) % 2).astype(bool)
    below_horizon = room() < 6.0
    rgb[below_horizon & checker] = (200, 180, 140)
    rgb[below_horizon & ~checker] = (90, 85, 80)
    box = np.isclose(room(), 2.0) & (columns >= 60) & (columns < 100)
    rgb[box] = (120, 40, 150)
    return rgb


def test_with_the_camera_image_obstacles_stand_where_the_floor_ends():
    truth = room()
    prediction = np.minimum(truth, 3.0)
    prediction[np.isclose(truth, 2.0)] = 3.2
    """A network that puts the box 60 % too far and sees nothing beyond 3 m (the far floor and the wall)."""
    box = np.isclose(truth, 2.0)
    without_image = GroundPlaneScale().fuse(prediction, DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE, 0.0)
    with_image = GroundPlaneScale().fuse(prediction, DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE, 0.0,
                                         rgb=room_image())
    assert with_image.status is without_image.status is FusionStatus.GROUND_PLANE
    assert np.median(np.abs(without_image.depth[box] / 2.0 - 1.0)) > 0.4
    assert np.median(np.abs(with_image.depth[box] / 2.0 - 1.0)) < 0.05
    floor = truth < 6.0
    floor &= ~box
    assert depth_metrics(with_image.depth[floor], truth[floor])["abs_rel"] < 0.02
    assert depth_metrics(with_image.depth, truth)["abs_rel"] < 0.5 * depth_metrics(without_image.depth,
                                                                                  truth)["abs_rel"]


def test_above_an_obstacles_top_edge_nothing_is_nearer_than_the_obstacle():
    truth = room()
    box = np.isclose(truth, 2.0)
    above_box = np.zeros_like(box)
    above_box[:int(np.nonzero(box.any(axis=1))[0][0]), 60:100] = True
    prediction = np.minimum(truth, 3.0)
    prediction[above_box] = 1.2
    """The network sees the wall above the box nearer than the box."""
    result = GroundPlaneScale().fuse(prediction, DepthKind.METRIC, INTRINSICS, CAMERA_IN_BASE, 0.0,
                                     rgb=room_image())
    assert np.median(np.abs(result.depth[box] / 2.0 - 1.0)) < 0.05
    assert result.depth[above_box].min() >= 0.95 * 2.0
