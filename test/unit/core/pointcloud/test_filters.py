"""Point cloud filters: voxel downsampling and statistical outlier removal."""
import numpy as np
import pytest

from monodepth_ros.core.pointcloud.filters import remove_statistical_outliers, voxel_downsample


def plane_cloud(spacing_m: float = 0.01, size: int = 100) -> np.ndarray:
    """Points on a size x size grid in the z = 2 plane."""
    x, y = np.meshgrid(np.arange(size) * spacing_m, np.arange(size) * spacing_m)
    return np.column_stack([x.ravel(), y.ravel(), np.full(size * size, 2.0)]).astype(np.float32)


def test_voxel_downsample_reduces_points_keeps_bounds_and_averages_colours():
    xyz = plane_cloud()
    rgb = np.zeros((len(xyz), 3), np.uint8)
    rgb[:, 0] = 200
    rgb[:, 2] = np.where(np.arange(len(xyz)) % 2 == 0, 100, 50)
    down_xyz, down_rgb = voxel_downsample(xyz, rgb, 0.1)
    assert down_xyz.dtype == np.float32 and down_rgb.dtype == np.uint8
    assert 50 <= len(down_xyz) <= 200, "a 1 m square of 1 cm points in 10 cm voxels"
    assert len(down_rgb) == len(down_xyz)
    assert (down_xyz.min(axis=0) >= xyz.min(axis=0) - 1e-6).all()
    assert (down_xyz.max(axis=0) <= xyz.max(axis=0) + 1e-6).all()
    np.testing.assert_allclose(down_xyz[:, 2], 2.0, atol=1e-6)
    assert (down_rgb[:, 0] == 200).all() and (down_rgb[:, 1] == 0).all()
    assert ((down_rgb[:, 2] > 50) & (down_rgb[:, 2] < 100)).all(), "blue 50 and 100 are averaged in each voxel"


def test_voxel_downsample_without_colour_and_of_an_empty_cloud():
    down_xyz, down_rgb = voxel_downsample(plane_cloud(), None, 0.5)
    assert down_rgb is None and 2 <= len(down_xyz) <= 9
    empty_xyz, empty_rgb = voxel_downsample(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint8), 0.1)
    assert empty_xyz.shape == (0, 3) and empty_rgb.shape == (0, 3)
    with pytest.raises(ValueError, match="voxel_m must be positive"):
        voxel_downsample(plane_cloud(), None, 0.0)


def test_outlier_removal_drops_an_isolated_far_point_and_keeps_its_colours_aligned():
    plane = plane_cloud(size=30)
    xyz = np.vstack([plane[:400], [[5.0, 5.0, 9.0]], plane[400:]]).astype(np.float32)
    rgb = np.zeros((len(xyz), 3), np.uint8)
    rgb[400] = [255, 0, 0]
    kept_xyz, kept_rgb = remove_statistical_outliers(xyz, rgb, neighbours=10, std_ratio=2.0)
    assert len(kept_xyz) == len(plane)
    assert not (kept_xyz == [5.0, 5.0, 9.0]).all(axis=1).any()
    np.testing.assert_array_equal(kept_xyz, plane)
    assert not kept_rgb.any(), "the outlier's colour goes with it"


def test_outlier_removal_leaves_clouds_too_small_for_statistics():
    xyz = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 50.0]], np.float32)
    kept, colours = remove_statistical_outliers(xyz, None, neighbours=5, std_ratio=1.0)
    np.testing.assert_array_equal(kept, xyz)
    assert colours is None
    with pytest.raises(ValueError, match="neighbours >= 1"):
        remove_statistical_outliers(xyz, None, neighbours=0, std_ratio=1.0)
