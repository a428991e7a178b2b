"""Depth image -> points: unprojection, decimation, range filters, colours, voxel and outlier filters."""
import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints, depth_discontinuities

INTRINSICS = Intrinsics(fx=100.0, fy=80.0, cx=3.5, cy=2.0, width=8, height=6)


def constant_depth(value: float, intrinsics: Intrinsics = INTRINSICS) -> np.ndarray:
    return np.full((intrinsics.height, intrinsics.width), value, dtype=np.float32)


def test_known_pixels_unproject_to_exact_optical_frame_points():
    depth = constant_depth(2.0)
    depth[0, 0] = 4.0
    points = DepthToPoints().convert(depth, INTRINSICS)
    assert points.xyz.dtype == np.float32 and points.xyz.shape == (48, 3)
    by_pixel = dict(zip(points.pixel_index.tolist(), points.xyz.tolist()))
    assert by_pixel[0] == pytest.approx([4.0 * (0 - 3.5) / 100.0, 4.0 * (0 - 2.0) / 80.0, 4.0])
    assert by_pixel[2 * 8 + 7] == pytest.approx([2.0 * 3.5 / 100.0, 0.0, 2.0]), "pixel (u=7, v=2)"
    assert by_pixel[5 * 8 + 1] == pytest.approx([2.0 * -2.5 / 100.0, 2.0 * 3.0 / 80.0, 2.0]), "pixel (u=1, v=5)"


def test_right_and_down_of_the_principal_point_are_positive_x_and_y():
    intrinsics = Intrinsics(fx=50.0, fy=50.0, cx=1.0, cy=1.0, width=3, height=3)
    points = DepthToPoints().convert(constant_depth(1.0, intrinsics), intrinsics)
    xyz = dict(zip(points.pixel_index.tolist(), points.xyz.tolist()))
    assert xyz[4] == pytest.approx([0.0, 0.0, 1.0]), "the centre pixel lies on the optical axis"
    assert xyz[5][0] > 0.0 and xyz[5][1] == 0.0, "right of centre: +x"
    assert xyz[7][1] > 0.0 and xyz[7][0] == 0.0, "below centre: +y"


@pytest.mark.parametrize("decimation, expected_pixels", [
    (2, [v * 8 + u for v in (0, 2, 4) for u in (0, 2, 4, 6)]),
    (3, [v * 8 + u for v in (0, 3) for u in (0, 3, 6)]),
    (8, [0]),
])
def test_decimation_keeps_every_kth_pixel_in_both_axes(decimation, expected_pixels):
    depth = np.arange(1, 49, dtype=np.float32).reshape(6, 8)
    points = DepthToPoints().convert(depth, INTRINSICS, decimation=decimation)
    assert points.pixel_index.tolist() == expected_pixels
    assert points.xyz[:, 2].tolist() == [float(index + 1) for index in expected_pixels]
    rows, cols = np.divmod(points.pixel_index, 8)
    np.testing.assert_allclose(points.xyz[:, 0], (cols - 3.5) / 100.0 * points.xyz[:, 2], rtol=1e-6)
    np.testing.assert_allclose(points.xyz[:, 1], (rows - 2.0) / 80.0 * points.xyz[:, 2], rtol=1e-6)


def test_range_limits_apply_to_z_inclusive():
    depth = np.array([[0.5, 1.0, 2.0, 3.0, 3.5, 10.0]], dtype=np.float32)
    intrinsics = Intrinsics(fx=1.0, fy=1.0, cx=0.0, cy=0.0, width=6, height=1)
    points = DepthToPoints().convert(depth, intrinsics, min_range_m=1.0, max_range_m=3.0)
    assert points.xyz[:, 2].tolist() == [1.0, 2.0, 3.0]
    assert np.linalg.norm(points.xyz[-1]) > 3.0, "the far corner point is kept: its z, not its distance, is 3"


def test_nan_inf_zero_and_negative_depths_are_dropped():
    depth = np.array([[np.nan, np.inf, -np.inf, 0.0, -1.0, 2.0]], dtype=np.float32)
    intrinsics = Intrinsics(fx=1.0, fy=1.0, cx=0.0, cy=0.0, width=6, height=1)
    points = DepthToPoints().convert(depth, intrinsics)
    assert points.pixel_index.tolist() == [5]
    assert np.isfinite(points.xyz).all()


def test_all_nan_depth_gives_an_empty_cloud():
    points = DepthToPoints().convert(constant_depth(np.nan), INTRINSICS, decimation=2)
    assert points.xyz.shape == (0, 3) and points.pixel_index.shape == (0,)
    assert points.colours_from(np.zeros((6, 8, 3), np.uint8)).shape == (0, 3)


def test_a_depth_image_whose_size_differs_from_the_intrinsics_is_rejected():
    with pytest.raises(ValueError, match="depth image is 8x5 but the intrinsics describe 8x6"):
        DepthToPoints().convert(np.ones((5, 8), np.float32), INTRINSICS)


@pytest.mark.parametrize("limits", [(2.0, 1.0), (1.0, 1.0), (-0.5, 3.0)])
def test_inconsistent_range_limits_are_rejected(limits):
    with pytest.raises(ValueError, match="min_range_m < max_range_m"):
        DepthToPoints().convert(constant_depth(1.0), INTRINSICS, min_range_m=limits[0], max_range_m=limits[1])


def test_invalid_decimation_is_rejected():
    with pytest.raises(ValueError, match="decimation must be >= 1"):
        DepthToPoints().convert(constant_depth(1.0), INTRINSICS, decimation=0)


def test_rays_are_reused_for_the_same_intrinsics_and_rebuilt_for_new_ones():
    converter = DepthToPoints()
    rays = converter.rays(INTRINSICS, 1)
    converter.convert(constant_depth(1.0), Intrinsics(100.0, 80.0, 3.5, 2.0, 8, 6))
    assert converter.rays(Intrinsics(100.0, 80.0, 3.5, 2.0, 8, 6), 1) is rays, "equal intrinsics reuse the rays"
    moved = Intrinsics(100.0, 80.0, 4.0, 2.0, 8, 6)
    rebuilt = converter.rays(moved, 1)
    assert rebuilt is not rays
    assert rebuilt.x[0, 0] == pytest.approx(-4.0 / 100.0)
    points = converter.convert(constant_depth(1.0), moved)
    assert points.xyz[0, 0] == pytest.approx(-4.0 / 100.0), "the new principal point is used"
    decimated = converter.rays(moved, 2)
    assert decimated is not rebuilt and decimated.x.shape == decimated.y.shape == (3, 4)


def test_colours_are_taken_from_each_points_pixel():
    depth = constant_depth(1.0)
    depth[1, 2] = np.nan
    rgb = np.arange(6 * 8 * 3, dtype=np.uint8).reshape(6, 8, 3)
    points = DepthToPoints().convert(depth, INTRINSICS, decimation=1)
    colours = points.colours_from(rgb)
    rows, cols = np.divmod(points.pixel_index, 8)
    np.testing.assert_array_equal(colours, rgb[rows, cols])
    assert len(colours) == 47


@pytest.mark.parametrize("decimation", [1, 3])
def test_colours_from_an_image_of_twice_the_resolution_match_the_covered_pixels(decimation):
    rng = np.random.default_rng(3)
    rgb_at_depth_size = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    rgb_twice = np.repeat(np.repeat(rgb_at_depth_size, 2, axis=0), 2, axis=1)
    points = DepthToPoints().convert(constant_depth(1.0), INTRINSICS, decimation=decimation)
    rows, cols = np.divmod(points.pixel_index, 8)
    np.testing.assert_array_equal(points.colours_from(rgb_twice), rgb_at_depth_size[rows, cols])


def test_colours_from_an_image_of_half_the_resolution_use_the_enclosing_pixel():
    rgb_half = np.arange(3 * 4 * 3, dtype=np.uint8).reshape(3, 4, 3)
    points = DepthToPoints().convert(constant_depth(1.0), INTRINSICS)
    rows, cols = np.divmod(points.pixel_index, 8)
    np.testing.assert_array_equal(points.colours_from(rgb_half), rgb_half[rows // 2, cols // 2])


def test_flying_pixels_at_depth_edges_are_dropped_and_flat_surfaces_kept():
    intrinsics = Intrinsics(100.0, 100.0, 15.5, 11.5, 32, 24)
    depth = np.full((24, 32), 4.0, np.float32)
    depth[:, :16] = 1.0
    depth[:, 15] = 2.5
    depth[:, 16] = 3.2
    edges = depth_discontinuities(depth, 0.05)
    assert edges[:, 14:18].all()
    assert not edges[:, :13].any() and not edges[:, 19:].any()
    with_nan = depth.copy()
    with_nan[5, 25] = np.nan
    assert not depth_discontinuities(with_nan, 0.05)[4:7, 24:27].any(), "invalid neighbours make no edge"
    points = DepthToPoints().convert(depth, intrinsics, discontinuity_ratio=0.05)
    assert len(points.xyz) == 24 * (32 - 4)
    assert set(np.unique(points.xyz[:, 2])) == {1.0, 4.0}
