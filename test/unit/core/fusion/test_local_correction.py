"""The local correction of a globally fitted depth towards sparse LiDAR depth, called directly."""
import numpy as np
import pytest

from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.fusion.config import GroundPlaneConfig, LocalCorrectionConfig
from monodepth_ros.core.fusion.local_correction import local_correction

HEIGHT, WIDTH = 120, 160
FOCAL_PX, CAMERA_HEIGHT_M = 100.0, 0.5
"""Pinhole of floor_depth: principal point at the image centre, optical axis level with the floor."""
COLUMNS = np.arange(WIDTH)[None, :]


def corrected(global_depth: np.ndarray, sparse: np.ndarray, config: LocalCorrectionConfig | None = None) -> np.ndarray:
    """local_correction of ``global_depth`` (H, W) metres towards the finite pixels of ``sparse`` (H, W) metres."""
    rows, columns = np.nonzero(np.isfinite(sparse))
    return local_correction(np.asarray(global_depth, dtype=np.float32), rows, columns,
                            sparse[rows, columns].astype(np.float64), config or LocalCorrectionConfig(),
                            np.random.default_rng(0))


def by_column(left: float, right: float, step_column: int = 80) -> np.ndarray:
    """float32 (HEIGHT, WIDTH): ``left`` in the columns before ``step_column``, ``right`` from it on."""
    return np.broadcast_to(np.where(COLUMNS < step_column, left, right), (HEIGHT, WIDTH)).astype(np.float32)


def floor_depth() -> np.ndarray:
    """True depth float32 (HEIGHT, WIDTH) of a level camera CAMERA_HEIGHT_M above the floor, up to a 5 m wall:
    FOCAL_PX * CAMERA_HEIGHT_M / (row - centre row) below row 70, 0.83 m at the bottom."""
    below_centre = np.arange(HEIGHT, dtype=np.float64)[:, None] - 0.5 * (HEIGHT - 1)
    with np.errstate(divide="ignore"):
        floor = np.where(below_centre > 0.0, FOCAL_PX * CAMERA_HEIGHT_M / below_centre, np.inf)
    return np.broadcast_to(np.minimum(floor, 5.0), (HEIGHT, WIDTH)).astype(np.float32)


def test_a_step_in_the_lidar_residual_is_followed_on_both_sides_of_the_prediction_edge():
    global_depth = by_column(3.0, 5.0)
    truth = by_column(3.0 * 1.3, 5.0 * 0.9)
    relative_error = np.abs(corrected(global_depth, sparse_from_beams(truth, 16, column_step=2)) / truth - 1.0)
    assert relative_error.max() < 0.015


def test_where_the_prediction_is_flat_a_step_in_the_residual_stays_a_step_between_the_points():
    global_depth = np.full((HEIGHT, WIDTH), 4.0, dtype=np.float32)
    truth = by_column(4.0 * 1.3, 4.0 * 0.9)
    sparse = sparse_from_beams(truth, 16, column_step=2)
    depth = corrected(global_depth, sparse)
    beam_rows = np.unique(np.nonzero(np.isfinite(sparse))[0])
    covered = slice(beam_rows[0], beam_rows[-1] + 1)
    relative_error = np.abs(depth / truth - 1.0)[covered]
    between_points = [78, 79]
    """The step lies between columns 79 and 80; the nearest points either side are in columns 78 and 80."""
    assert np.delete(relative_error, between_points, axis=1).max() < 0.01, "no blending across the step"


def obstacle_before_a_wall(obstacle_m: float, wall_m: float) -> np.ndarray:
    """float32 (2 HEIGHT, 2 WIDTH): a wall at ``wall_m`` with an obstacle at ``obstacle_m`` in rows from HEIGHT on
    and columns WIDTH - 60 to WIDTH + 60 (its top edge at row HEIGHT)."""
    depth = np.full((2 * HEIGHT, 2 * WIDTH), wall_m, np.float32)
    depth[HEIGHT:, WIDTH - 60:WIDTH + 60] = obstacle_m
    return depth


@pytest.mark.parametrize("predicted_obstacle_m, predicted_wall_m", [(4.0, 4.0), (3.0, 3.3), (3.0, 4.0)])
def test_an_obstacles_correction_does_not_bleed_into_the_wall_above_it(predicted_obstacle_m, predicted_wall_m):
    """The prediction shows no edge, a weak one (10 %) or a clear one between an obstacle and the wall behind it;
    the truth is 2 m and 4 m. The wall just above the obstacle's top edge is as right as the wall elsewhere."""
    truth = obstacle_before_a_wall(2.0, 4.0)
    sparse = sparse_from_beams(truth, 16, column_step=2)
    depth = corrected(obstacle_before_a_wall(predicted_obstacle_m, predicted_wall_m), sparse)
    wall_error = np.abs(depth / truth - 1.0)[:HEIGHT]
    near_top_edge = wall_error[HEIGHT - 24:, WIDTH - 60:WIDTH + 60]
    elsewhere = wall_error[HEIGHT - 24:, :WIDTH - 100]
    assert near_top_edge.max() <= elsewhere.max() + 0.015
    assert near_top_edge.mean() <= elsewhere.mean() + 0.005


def test_far_from_any_lidar_point_the_correction_fades_to_the_global_one():
    global_depth = np.full((HEIGHT, WIDTH), 4.0, dtype=np.float32)
    sparse = sparse_from_beams(np.full((HEIGHT, WIDTH), 4.0 * 1.3, dtype=np.float32), 16, column_step=2)
    sparse[:, 40:] = np.nan
    applied = np.median(corrected(global_depth, sparse) / global_depth, axis=0)
    np.testing.assert_allclose(applied[:40], 1.3, rtol=1e-3)
    assert np.all(np.diff(applied[40:]) <= 1e-6), "fades with the distance from the points"
    assert 1.0 < applied[70] < 1.3
    np.testing.assert_allclose(corrected(global_depth, sparse)[:, 100:], global_depth[:, 100:], rtol=1e-6)


def test_a_wrong_return_without_support_is_rejected_but_one_its_neighbours_confirm_is_followed():
    global_depth = np.full((HEIGHT, WIDTH), 4.0, dtype=np.float32)
    sparse = sparse_from_beams(global_depth, 16, column_step=2)
    rows, columns = np.nonzero(np.isfinite(sparse))
    central = np.argmin(np.hypot(rows - HEIGHT / 2, columns - WIDTH / 2))
    lone = sparse.copy()
    lone[rows[central], columns[central]] *= 3.0
    np.testing.assert_allclose(corrected(global_depth, lone), global_depth, rtol=1e-6)
    confirmed = sparse.copy()
    around = np.hypot(rows - rows[central], columns - columns[central]) < 10.0
    assert around.sum() > 20
    confirmed[rows[around], columns[around]] *= 3.0
    assert corrected(global_depth, confirmed)[rows[central], columns[central]] > 2.5 * 4.0


def test_below_the_lowest_beam_the_ground_plane_is_extrapolated():
    truth = floor_depth()
    sparse = sparse_from_beams(truth, 16)
    sparse[89:] = np.nan
    assert np.isfinite(sparse[80:89]).any()
    global_depth = np.full((HEIGHT, WIDTH), 3.0, dtype=np.float32)
    relative_error = np.abs(corrected(global_depth, sparse) / truth - 1.0)
    assert relative_error[89:].max() < 0.01, "floor from 1.5 m down to 0.83 m"
    without_ground = LocalCorrectionConfig(ground=GroundPlaneConfig(min_points=10**6))
    assert np.abs(corrected(global_depth, sparse, without_ground) / truth - 1.0)[95:].min() > 0.3, \
        "what the plane does: the nearest beam's correction alone is far off"


@pytest.mark.parametrize("strength", [0.0, 0.5])
def test_strength_scales_the_log_correction(strength):
    global_depth = by_column(3.0, 5.0)
    sparse = sparse_from_beams(by_column(3.0 * 1.3, 5.0 * 0.9), 16, column_step=2)
    full = corrected(global_depth, sparse)
    assert np.abs(full / global_depth - 1.0).min() > 0.05
    depth = corrected(global_depth, sparse, LocalCorrectionConfig(strength=strength))
    np.testing.assert_allclose(depth, global_depth * (full / global_depth) ** strength, rtol=1e-5)


def test_invalid_depth_stays_invalid():
    global_depth = np.full((HEIGHT, WIDTH), 4.0, dtype=np.float32)
    global_depth[50:60, 70:90] = np.nan
    sparse = sparse_from_beams(np.full((HEIGHT, WIDTH), 4.0 * 1.3, dtype=np.float32), 16, column_step=2)
    depth = corrected(global_depth, sparse)
    assert np.isnan(depth[50:60, 70:90]).all() and np.isfinite(depth[~np.isnan(global_depth)]).all()
