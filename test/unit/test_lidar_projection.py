"""Projection of LiDAR points into sparse depth images, and simulated LiDAR beams."""
import numpy as np
import pytest

from monodepth_ros.core.lidar_projection import project_points, sparse_from_beams
from monodepth_ros.core.types import Intrinsics

INTRINSICS = Intrinsics(fx=100.0, fy=120.0, cx=50.0, cy=40.0, width=100, height=80)


def point_at(column: float, row: float, z: float) -> list[float]:
    """The optical-frame point (metres) that projects to pixel (column, row) at depth z."""
    return [(column - INTRINSICS.cx) * z / INTRINSICS.fx, (row - INTRINSICS.cy) * z / INTRINSICS.fy, z]


def project(points, **options) -> np.ndarray:
    return project_points(np.asarray(points, dtype=np.float32).reshape(-1, 3), INTRINSICS, 0.5, 50.0, **options)


def returns(depth: np.ndarray) -> dict[tuple[int, int], float]:
    """{(row, column): depth in metres} of the pixels with a return."""
    rows, columns = np.nonzero(np.isfinite(depth))
    return {(int(r), int(c)): float(depth[r, c]) for r, c in zip(rows, columns)}


def test_points_land_on_their_pinhole_pixels_with_their_z():
    points = [point_at(10, 20, 2.0), point_at(50, 40, 7.5), point_at(99, 0, 3.0), point_at(0, 79, 12.0)]
    depth = project(points)
    assert depth.dtype == np.float32 and depth.shape == (80, 100)
    assert returns(depth) == {(20, 10): 2.0, (40, 50): 7.5, (0, 99): 3.0, (79, 0): 12.0}


def test_points_are_rounded_to_the_nearest_pixel_centre():
    depth = project([point_at(20.4, 30.6, 4.0), point_at(60.6, 10.4, 4.0)])
    assert set(returns(depth)) == {(31, 20), (10, 61)}


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_nearest_point_wins_a_pixel_whatever_the_order(order):
    hits = [point_at(30, 30, 5.0), point_at(30, 30, 3.0), point_at(30, 30, 4.0)]
    depth = project([hits[i] for i in order])
    assert returns(depth) == {(30, 30): 3.0}


def test_background_point_next_to_a_nearer_one_is_dropped_as_occluded():
    depth = project([point_at(40, 40, 2.0), point_at(42, 40, 6.0), point_at(60, 40, 6.0)])
    assert returns(depth) == {(40, 40): 2.0, (40, 60): 6.0}


def test_neighbours_within_the_tolerance_are_kept():
    depth = project([point_at(40, 40, 2.0), point_at(41, 40, 2.15), point_at(40, 41, 2.2)])
    assert returns(depth) == pytest.approx({(40, 40): 2.0, (40, 41): 2.15, (41, 40): 2.2})


def test_window_of_one_pixel_keeps_occluded_points():
    depth = project([point_at(40, 40, 2.0), point_at(41, 40, 6.0)], occlusion_window_px=1)
    assert returns(depth) == {(40, 40): 2.0, (40, 41): 6.0}


def test_invalid_behind_out_of_range_and_off_image_points_are_ignored():
    points = [
        point_at(10, 10, 2.0),
        [np.nan, 0.0, 2.0], [0.0, np.inf, 2.0], [0.0, 0.0, -np.inf],
        [0.0, 0.0, -3.0],
        point_at(20, 20, 0.2), point_at(30, 30, 80.0),
        point_at(-1, 10, 2.0), point_at(100, 10, 2.0), point_at(10, -1, 2.0), point_at(10, 80, 2.0),
    ]
    assert returns(project(points)) == {(10, 10): 2.0}


def test_no_points_give_an_image_without_returns():
    depth = project(np.zeros((0, 3)))
    assert depth.shape == (80, 100) and np.isnan(depth).all()


def test_depth_range_must_be_positive_and_ordered():
    with pytest.raises(ValueError, match="min_depth_m < max_depth_m"):
        project_points(np.zeros((1, 3)), INTRINSICS, 5.0, 1.0)
    with pytest.raises(ValueError, match="min_depth_m"):
        project_points(np.zeros((1, 3)), INTRINSICS, 0.0, 1.0)


def test_beams_sample_evenly_spaced_rows_from_10_to_90_percent_of_the_height():
    gt = np.arange(101 * 9, dtype=np.float32).reshape(101, 9) + 1.0
    sparse = sparse_from_beams(gt, beams=5, column_step=4)
    rows, columns = np.nonzero(np.isfinite(sparse))
    assert sorted(set(rows.tolist())) == [10, 30, 50, 70, 90]
    assert sorted(set(columns.tolist())) == [0, 4, 8]
    assert rows.size == 15
    np.testing.assert_array_equal(sparse[rows, columns], gt[rows, columns])


def test_beams_have_no_return_where_there_is_no_ground_truth():
    gt = np.full((101, 8), 3.0, dtype=np.float32)
    gt[10, 0] = 0.0
    gt[50, 2] = np.nan
    sparse = sparse_from_beams(gt, beams=3, column_step=2)
    assert sparse.dtype == np.float32
    assert np.isnan(sparse[10, 0]) and np.isnan(sparse[50, 2])
    assert np.isfinite(sparse).sum() == 3 * 4 - 2
