"""LiDAR scale fusion: robust global fits, edge-aware local correction, temporal smoothing, degraded input."""
import dataclasses
import math

import cv2
import numpy as np
import pytest

from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.fusion.config import FusionConfig, GlobalFitConfig, LocalCorrectionConfig, ScaleSmootherConfig
from monodepth_ros.core.fusion.global_fit import FAR_LIMIT_FACTOR, ransac_inverse_affine
from monodepth_ros.core.fusion.scale_fusion import FusionStatus, ScaleFusion

HEIGHT, WIDTH = 120, 160
FOCAL_PX, CAMERA_HEIGHT_M = 100.0, 0.5
"""Pinhole of room_with_box: principal point at the image centre, optical axis level with the floor."""


def sloped_room() -> np.ndarray:
    """True depth float32 (HEIGHT, WIDTH) in metres: 1.5 m at the bottom row rising to 8 m at the top, slightly
    deeper towards the sides."""
    height_above_bottom = np.linspace(0.0, 1.0, HEIGHT)[::-1, None]
    columns = np.linspace(-1.0, 1.0, WIDTH)[None, :]
    return (1.5 * (8.0 / 1.5) ** height_above_bottom * (1.0 + 0.1 * columns ** 2)).astype(np.float32)


def random_lidar(depth: np.ndarray, points: int, outlier_fraction: float, seed: int) -> np.ndarray:
    """Sparse depth (NaN: no return) at random pixels; a fraction of them replaced by random 0.5-30 m values."""
    rng = np.random.default_rng(seed)
    sparse = np.full(depth.shape, np.nan, dtype=np.float32)
    pixels = rng.choice(depth.size, size=points, replace=False)
    values = depth.ravel()[pixels].copy()
    outliers = rng.random(points) < outlier_fraction
    values[outliers] = rng.uniform(0.5, 30.0, size=int(outliers.sum()))
    sparse.ravel()[pixels] = values
    return sparse


def disc_on_wall() -> tuple[np.ndarray, np.ndarray]:
    """(true depth, disc mask): a 2 m disc of radius 45 px in front of a 6 m wall."""
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH]
    disc = (rows - 57.3) ** 2 + (columns - 83.7) ** 2 < 45.0 ** 2
    return np.where(disc, 2.0, 6.0).astype(np.float32), disc


def distance_to_edge(mask: np.ndarray) -> np.ndarray:
    """Pixel distance from each pixel to the nearest pixel on the other side of ``mask``'s boundary."""
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    outside = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.where(mask, inside, outside)


def room_with_box() -> tuple[np.ndarray, np.ndarray]:
    """(true depth, box mask) seen by a level camera CAMERA_HEIGHT_M above the floor: a 5 m wall, the floor
    (depth FOCAL_PX * CAMERA_HEIGHT_M / (row - centre row), 5 m at row 70 down to 0.83 m at the bottom) and a 1 m
    high box whose front is 1.5 m away, columns 60-100 and rows 27-92 (its foot)."""
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    below_horizon = rows - 0.5 * (HEIGHT - 1)
    with np.errstate(divide="ignore"):
        floor = np.where(below_horizon > 0.0, FOCAL_PX * CAMERA_HEIGHT_M / below_horizon, np.inf)
    box_depth, box_height = 1.5, 1.0
    box_top_row = 0.5 * (HEIGHT - 1) - FOCAL_PX * (box_height - CAMERA_HEIGHT_M) / box_depth
    box = (columns >= 60) & (columns <= 100) & (rows >= box_top_row) & (floor >= box_depth)
    truth = np.minimum(np.minimum(floor, 5.0), np.where(box, box_depth, np.inf))
    return truth.astype(np.float32), box


def beams_down_to_row(truth: np.ndarray, last_row: int) -> np.ndarray:
    """16 simulated beams (sparse_from_beams) without the returns below ``last_row``, as from a LiDAR whose
    vertical field of view ends above the bottom of the image."""
    sparse = sparse_from_beams(truth, beams=16)
    sparse[last_row + 1:] = np.nan
    return sparse


def test_metric_scale_is_recovered_despite_30_percent_outliers():
    truth = sloped_room()
    prediction = truth / np.float32(1.7)
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, random_lidar(truth, 600, 0.3, seed=3))
    assert result.status is FusionStatus.FUSED
    assert result.scale == pytest.approx(1.7, rel=0.005)
    assert result.shift == 0.0 and result.points_used == 600
    assert 0.65 * 600 < result.inliers < 0.8 * 600
    assert depth_metrics(result.depth, truth)["abs_rel"] < 0.01
    assert result.residual < 0.01


def test_relative_inverse_depth_gets_scale_and_shift_and_becomes_metres():
    truth = sloped_room()
    scale, shift = 0.4, -0.12
    prediction = ((1.0 / truth - shift) / scale).astype(np.float32)
    result = ScaleFusion().fuse(prediction, DepthKind.RELATIVE_INVERSE, random_lidar(truth, 600, 0.3, seed=4))
    assert result.status is FusionStatus.FUSED
    assert result.scale == pytest.approx(scale, rel=0.01)
    assert result.shift == pytest.approx(shift, rel=0.02)
    assert depth_metrics(result.depth, truth)["abs_rel"] < 0.01
    assert np.nanmin(result.depth) > 1.4 and np.nanmax(result.depth) < 9.0


def test_local_correction_fixes_region_errors_a_global_scale_cannot_without_bleeding_across_the_edge():
    truth, disc = disc_on_wall()
    prediction = np.where(disc, truth / 1.4, truth / 0.85).astype(np.float32)
    sparse = sparse_from_beams(truth, beams=16, column_step=4)
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, sparse)
    valid = np.isfinite(prediction)
    best_global = prediction * np.float32(np.median(truth[valid] / prediction[valid]))
    global_abs_rel = depth_metrics(best_global, truth)["abs_rel"]
    fused_abs_rel = depth_metrics(result.depth, truth)["abs_rel"]
    assert global_abs_rel > 0.1
    assert fused_abs_rel < 0.1 * global_abs_rel
    relative_error = np.abs(result.depth - truth) / truth
    distance = distance_to_edge(disc)
    assert relative_error[distance <= 1.0].max() < 0.06, "edge pixels"
    assert relative_error[(distance > 1.0) & disc].max() < 0.03, "wall correction bled into the disc"
    assert relative_error[(distance > 1.0) & ~disc].max() < 0.03, "disc correction bled into the wall"


def test_far_from_lidar_the_correction_fades_to_the_global_scale():
    truth = sloped_room()
    rows = np.arange(HEIGHT)[:, None]
    prediction = (truth / np.where(rows < 60, 1.6, 1.4)).astype(np.float32)
    sparse = random_lidar(truth, 600, 0.0, seed=5)
    sparse[:, 50:] = np.nan
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, sparse)
    applied_scale = result.depth / prediction
    assert np.median(applied_scale[:40, :50]) == pytest.approx(1.6, rel=0.015)
    assert np.median(applied_scale[80:, :50]) == pytest.approx(1.4, rel=0.015)
    assert 1.45 < result.scale < 1.55
    np.testing.assert_allclose(applied_scale[:, 140:], result.scale, rtol=0.002)


def test_an_obstacle_the_prediction_misses_is_recovered_from_the_lidar():
    truth, box = room_with_box()
    sparse = beams_down_to_row(truth, 88)
    prediction = np.full(truth.shape, 3.0, dtype=np.float32)
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, sparse)
    relative_error = np.abs(result.depth - truth) / truth
    rows = np.arange(HEIGHT)[:, None]
    box_inside = box & (distance_to_edge(box) > 8.0)
    assert result.scale == pytest.approx(5.0 / 3.0, rel=0.01), "the wall sets the global scale"
    assert np.abs(prediction * np.float32(result.scale) / truth - 1.0)[box].min() > 1.0
    assert relative_error[box_inside & (rows <= 88)].mean() < 0.04
    assert relative_error[box_inside & (rows <= 88)].max() < 0.15
    wall = ~box & (truth == 5.0) & (distance_to_edge(box) > 8.0)
    assert relative_error[wall].mean() < 0.015 and relative_error[wall].max() < 0.2
    assert depth_metrics(result.depth, truth)["abs_rel"] < 0.1 * depth_metrics(prediction, truth)["abs_rel"]


def test_the_ground_below_the_lidar_coverage_is_extrapolated_as_a_plane_up_to_objects_standing_on_it():
    truth, _ = room_with_box()
    sparse = beams_down_to_row(truth, 88)
    assert np.isfinite(sparse[80:89]).any() and not np.isfinite(sparse[89:]).any()
    result = ScaleFusion().fuse(np.full(truth.shape, 3.0, dtype=np.float32), DepthKind.METRIC, sparse)
    relative_error = np.abs(result.depth - truth) / truth
    assert relative_error[95:].max() < 0.03, "floor from 1.5 m down to 0.83 m"
    assert relative_error[89:93, 65:96].max() < 0.05, "box below the lowest beam"


def test_below_the_lidar_a_surface_that_is_not_ground_keeps_the_correction_of_the_nearest_supported_region():
    rows = np.arange(HEIGHT)[:, None]
    truth = np.broadcast_to(np.where(rows < 60, 6.0, 3.0), (HEIGHT, WIDTH)).astype(np.float32)
    prediction = np.broadcast_to(np.where(rows < 60, 4.0, 2.5), (HEIGHT, WIDTH)).astype(np.float32)
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, beams_down_to_row(truth, 88))
    applied_scale = result.depth / prediction
    assert result.scale == pytest.approx(1.5, rel=0.01)
    np.testing.assert_allclose(applied_scale[89:101], 1.2, rtol=0.02)


def test_a_lone_wrong_return_is_ignored_although_large_corrections_are_allowed():
    truth = sloped_room()
    prediction = truth / np.float32(1.7)
    sparse = sparse_from_beams(truth, beams=16, column_step=2)
    clean = ScaleFusion().fuse(prediction, DepthKind.METRIC, sparse)
    rows, columns = np.nonzero(np.isfinite(sparse))
    central = np.argmin(np.hypot(rows - HEIGHT / 2, columns - WIDTH / 2))
    sparse[rows[central], columns[central]] *= 3.0
    disturbed = ScaleFusion().fuse(prediction, DepthKind.METRIC, sparse)
    np.testing.assert_allclose(disturbed.depth, clean.depth, rtol=1e-3)


def test_local_strength_zero_keeps_the_global_fit_only():
    truth, disc = disc_on_wall()
    prediction = np.where(disc, truth / 1.4, truth / 0.85).astype(np.float32)
    fusion = ScaleFusion(FusionConfig(local_correction=LocalCorrectionConfig(strength=0.0)))
    result = fusion.fuse(prediction, DepthKind.METRIC, sparse_from_beams(truth, beams=16))
    np.testing.assert_allclose(result.depth, prediction * np.float32(result.scale), rtol=1e-6)


def metric_sequence(fusion: ScaleFusion, true_scales, seed: int = 7) -> np.ndarray:
    """Global scales reported for frames whose LiDAR shows ``true_scales`` x the prediction."""
    truth = sloped_room()
    scales = []
    for index, true_scale in enumerate(true_scales):
        prediction = truth / np.float32(true_scale)
        sparse = random_lidar(truth, 300, 0.0, seed=seed + index)
        scales.append(fusion.fuse(prediction, DepthKind.METRIC, sparse).scale)
    return np.asarray(scales)


def test_a_step_in_scale_is_followed_by_the_second_frame():
    scales = metric_sequence(ScaleFusion(), [2.0] * 10 + [2.6] * 5)
    assert scales[9] == pytest.approx(2.0, rel=1e-3)
    assert scales[10] < 2.1, "one frame alone is not trusted"
    np.testing.assert_allclose(scales[11:], 2.6, rtol=1e-3)


def test_a_single_outlier_frame_barely_moves_the_scale():
    scales = metric_sequence(ScaleFusion(), [2.0] * 10 + [2.6] + [2.0] * 5)
    np.testing.assert_allclose(scales, 2.0, rtol=0.02)


def test_frame_to_frame_jitter_is_smoothed():
    rng = np.random.default_rng(11)
    measured = 2.0 * np.exp(rng.normal(0.0, 0.02, size=60))
    smoothed = metric_sequence(ScaleFusion(), measured)
    unsmoothed = metric_sequence(
        ScaleFusion(FusionConfig(scale_smoother=ScaleSmootherConfig(time_constant_frames=0.0))), measured)
    np.testing.assert_allclose(unsmoothed, measured, rtol=1e-3)
    assert np.std(np.log(smoothed[10:])) < 0.5 * np.std(np.log(measured[10:]))
    assert np.mean(smoothed[10:]) == pytest.approx(np.mean(measured[10:]), rel=0.01)


def test_reset_forgets_the_smoothed_scale():
    fusion = ScaleFusion()
    metric_sequence(fusion, [2.0] * 5)
    fusion.reset()
    assert metric_sequence(fusion, [3.0])[0] == pytest.approx(3.0, rel=1e-3)


def test_metric_prediction_passes_through_with_too_few_points():
    truth = sloped_room()
    prediction = truth / np.float32(1.7)
    result = ScaleFusion().fuse(prediction, DepthKind.METRIC, random_lidar(truth, 7, 0.0, seed=1))
    assert result.status is FusionStatus.PASSTHROUGH
    assert result.reason == "only 7 valid LiDAR points (need 20)"
    np.testing.assert_array_equal(result.depth, prediction)
    assert result.scale == 1.0 and result.points_used == 7


def test_relative_prediction_holds_the_last_fit_then_gives_no_depth():
    truth = sloped_room()
    prediction = (2.5 / truth + 0.3).astype(np.float32)
    fusion = ScaleFusion(FusionConfig(hold_frames=3))
    few = random_lidar(truth, 7, 0.0, seed=1)
    first = fusion.fuse(prediction, DepthKind.RELATIVE_INVERSE, few)
    assert first.status is FusionStatus.NO_DEPTH
    assert first.reason.startswith("only 7 valid LiDAR points (need 20)")
    assert np.isnan(first.depth).all()
    fitted = fusion.fuse(prediction, DepthKind.RELATIVE_INVERSE, random_lidar(truth, 300, 0.0, seed=2))
    for age in (1, 2, 3):
        held = fusion.fuse(prediction, DepthKind.RELATIVE_INVERSE, few)
        assert held.status is FusionStatus.HELD and held.reason.startswith("only 7 valid LiDAR points")
        assert f"using the fit from {age} frame" in held.reason
        assert (held.scale, held.shift) == (fitted.scale, fitted.shift)
        assert depth_metrics(held.depth, truth)["abs_rel"] < 0.01
    expired = fusion.fuse(prediction, DepthKind.RELATIVE_INVERSE, few)
    assert expired.status is FusionStatus.NO_DEPTH and np.isnan(expired.depth).all()


@pytest.mark.parametrize("kind", list(DepthKind))
def test_invalid_inputs_never_give_infinite_or_non_positive_depth(kind):
    truth = sloped_room()
    prediction = (truth / 1.5 if kind is DepthKind.METRIC else 2.5 / truth + 0.3).astype(np.float32)
    broken = [(5, 5, np.nan), (6, 6, np.inf), (7, 7, -np.inf), (8, 8, 0.0), (9, 9, -2.0)]
    for row, column, value in broken:
        prediction[row, column] = value
    prediction[100:, :] *= -1.0 if kind is DepthKind.RELATIVE_INVERSE else 1.0
    sparse = random_lidar(truth, 400, 0.1, seed=6)
    sparse[::10, ::7] = np.nan
    sparse[::13, ::5] = np.inf
    sparse[::17, ::3] = -1.0
    sparse[::19, ::11] = 0.0
    result = ScaleFusion().fuse(prediction, kind, sparse)
    assert result.status is FusionStatus.FUSED
    finite = np.isfinite(result.depth)
    assert not np.isinf(result.depth).any()
    assert np.all(result.depth[finite] > 0.0)
    for row, column, _ in broken[:3]:
        assert np.isnan(result.depth[row, column])
    if kind is DepthKind.METRIC:
        assert np.isnan(result.depth[8, 8]) and np.isnan(result.depth[9, 9])
    assert finite.mean() > 0.7
    assert math.isfinite(result.residual)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="one shape"):
        ScaleFusion().fuse(np.ones((4, 5), np.float32), DepthKind.METRIC, np.ones((5, 4), np.float32))


def test_invalid_settings_are_named():
    with pytest.raises(ValueError, match="GlobalFitConfig: need min_points >= 2, ransac_hypotheses >= 1"):
        GlobalFitConfig(min_points=1, ransac_hypotheses=0)
    with pytest.raises(ValueError, match="LocalCorrectionConfig: need 0 <= strength <= 1"):
        LocalCorrectionConfig(strength=2.0)


def test_settings_are_frozen_and_composed_only_of_stage_settings():
    config = FusionConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.local_correction.strength = 0.0
    with pytest.raises(ValueError, match="FusionConfig: need global_fit to be a GlobalFitConfig, hold_frames >= 0"):
        FusionConfig(global_fit={"min_points": 5}, hold_frames=-1)


def test_a_relative_fit_never_sends_the_far_part_of_the_image_beyond_reach():
    """LiDAR on near surfaces only fits a steep line whose negative shift would put pixels farther than any
    return behind the camera; the fit must keep them at most FAR_LIMIT_FACTOR times the farthest return."""
    predicted = np.linspace(1.0, 3.0, 400)
    inverse_lidar = (0.5 * predicted - 0.4) * np.random.default_rng(1).uniform(0.95, 1.05, predicted.size)
    farthest_predicted = 0.7
    assert 0.5 * farthest_predicted - 0.4 < 0.0, "the exact fit puts the farthest pixels behind the camera"
    scale, shift, inliers = ransac_inverse_affine(predicted, inverse_lidar, GlobalFitConfig(),
                                                  np.random.default_rng(0), farthest_predicted)
    assert scale * farthest_predicted + shift >= inverse_lidar.min() / FAR_LIMIT_FACTOR - 1e-12
    assert inliers.mean() > 0.5, "still a fit of most of the LiDAR"
    unconstrained_scale, unconstrained_shift, _ = ransac_inverse_affine(predicted, inverse_lidar, GlobalFitConfig(),
                                                                        np.random.default_rng(0))
    assert unconstrained_scale * farthest_predicted + unconstrained_shift < 0.0, "what the bound prevents"
