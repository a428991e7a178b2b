"""Point cloud filters (Open3D): voxel downsampling and statistical outlier removal.

Open3D is imported on the first call so that importing this module stays fast."""
from __future__ import annotations

import numpy as np


def voxel_downsample(xyz: np.ndarray, rgb: np.ndarray | None, voxel_m: float
                     ) -> tuple[np.ndarray, np.ndarray | None]:
    """One point per occupied cube of edge ``voxel_m`` metres: the mean of its points, with their mean colour.

    ``xyz`` float (N, 3), ``rgb`` uint8 (N, 3) or None. Returns float32 (M, 3) xyz and uint8 (M, 3) rgb (or None).
    """
    if not voxel_m > 0.0:
        raise ValueError(f"voxel_m must be positive, got {voxel_m}")
    xyz, rgb = _checked_cloud(xyz, rgb)
    if len(xyz) == 0:
        return xyz, rgb
    downsampled = _open3d_cloud(xyz, rgb).voxel_down_sample(voxel_m)
    points = np.asarray(downsampled.points, dtype=np.float32)
    if rgb is None:
        return points, None
    return points, np.rint(np.asarray(downsampled.colors) * 255.0).astype(np.uint8)


def remove_statistical_outliers(xyz: np.ndarray, rgb: np.ndarray | None, neighbours: int, std_ratio: float
                                ) -> tuple[np.ndarray, np.ndarray | None]:
    """Drop points whose mean distance to their ``neighbours`` nearest points exceeds the mean of that distance
    over the cloud by more than ``std_ratio`` standard deviations. The remaining points keep their order.

    A cloud of at most ``neighbours`` points is returned as it is: it has too few points for the statistics.
    """
    if neighbours < 1 or not std_ratio > 0.0:
        raise ValueError(f"need neighbours >= 1 and std_ratio > 0, got neighbours={neighbours}, "
                         f"std_ratio={std_ratio}")
    xyz, rgb = _checked_cloud(xyz, rgb)
    if len(xyz) <= neighbours:
        return xyz, rgb
    _, kept = _open3d_cloud(xyz, None).remove_statistical_outlier(int(neighbours), float(std_ratio))
    kept = np.asarray(kept, dtype=np.intp)
    return np.take(xyz, kept, axis=0), None if rgb is None else np.take(rgb, kept, axis=0)


def _checked_cloud(xyz: np.ndarray, rgb: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """``xyz`` as float32 (N, 3) and ``rgb`` as uint8 (N, 3); raises ValueError for other shapes or types."""
    xyz = np.asarray(xyz, dtype=np.float32)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"xyz must have shape (N, 3), got {xyz.shape}")
    if rgb is None:
        return xyz, None
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.shape != xyz.shape:
        raise ValueError(f"rgb must be uint8 of shape {xyz.shape} to match xyz, got {rgb.dtype} {rgb.shape}")
    return xyz, rgb


def _open3d_cloud(xyz: np.ndarray, rgb: np.ndarray | None):
    """Legacy Open3D point cloud: on a CPU its voxel and outlier filters run faster than the tensor API's."""
    import open3d

    cloud = open3d.geometry.PointCloud(open3d.utility.Vector3dVector(xyz.astype(np.float64)))
    if rgb is not None:
        cloud.colors = open3d.utility.Vector3dVector(rgb / 255.0)
    return cloud
