"""Projection of 3-D points into sparse depth images: z-buffer and occlusion filtering."""
import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.projection import project_points, sample_at_points

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


def test_depth_range_must_be_ordered():
    with pytest.raises(ValueError, match="min_depth_m < max_depth_m"):
        project_points(np.zeros((1, 3)), INTRINSICS, 5.0, 1.0)
    with pytest.raises(ValueError, match="min_depth_m"):
        project_points(np.zeros((1, 3)), INTRINSICS, -1.0, 1.0)


def test_a_zero_minimum_depth_keeps_points_in_front_and_drops_those_at_or_behind_the_camera():
    depth = project_points(np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.1, 0.0, -1.0]]), INTRINSICS, 0.0, 10.0)
    assert np.nansum(depth) == pytest.approx(2.0) and np.count_nonzero(np.isfinite(depth)) == 1



def test_sample_at_points_reads_the_pixel_each_point_projects_to():
    intrinsics = Intrinsics(fx=10.0, fy=10.0, cx=1.5, cy=1.0, width=4, height=3)
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    image[2, 3] = np.nan
    points = np.array([[0.0, 0.0, 1.0], [0.15, 0.1, 1.0], [0.0, 0.0, -1.0], [5.0, 0.0, 1.0], [np.nan, 0.0, 1.0],
                       [0.15, 0.1, 1.0 / 1.0001]])
    values = sample_at_points(image, points, intrinsics, outside=-1.0)
    np.testing.assert_array_equal(values, [6.0, -1.0, -1.0, -1.0, -1.0, -1.0])
    np.testing.assert_array_equal(sample_at_points(image, [[-0.15, -0.1, 1.0]], intrinsics, 0.0), [0.0])
