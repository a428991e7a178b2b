"""The floor under a cloud: a RANSAC plane (Open3D) and the height of points above it."""
from __future__ import annotations

import math

import numpy as np

from monodepth_ros.core.costmap.config import CostmapConfig

RANSAC_PLANE_ATTEMPTS = 3
"""Planes fitted per update before giving up (each attempt removes the inliers of the rejected plane)."""
RANSAC_MAX_POINTS = 5000
"""The plane is fitted to at most this many points, evenly spread over the cloud; all points are then classified."""
RANSAC_MIN_INLIERS = 30


def fit_floor_plane(points: np.ndarray, config: CostmapConfig) -> np.ndarray | None:
    """float32 (a, b, c, d), unit normal with c > 0, of the floor plane fitted with Open3D; None when no fitted
    plane is level enough and near enough to the base origin."""
    import open3d

    candidates = points[::max(1, math.ceil(len(points) / RANSAC_MAX_POINTS))]
    min_normal_z = math.cos(math.radians(config.ransac_max_tilt_deg))
    for _ in range(RANSAC_PLANE_ATTEMPTS):
        if len(candidates) < RANSAC_MIN_INLIERS:
            return None
        cloud = open3d.geometry.PointCloud(open3d.utility.Vector3dVector(candidates.astype(np.float64)))
        plane, inliers = cloud.segment_plane(config.ransac_distance_m, 3, config.ransac_iterations)
        plane = np.asarray(plane, dtype=np.float64)
        plane /= np.linalg.norm(plane[:3])
        if plane[2] < 0.0:
            plane = -plane
        if (len(inliers) >= RANSAC_MIN_INLIERS and plane[2] >= min_normal_z
                and abs(plane[3]) <= config.ransac_max_floor_offset_m):
            return plane.astype(np.float32)
        candidates = np.delete(candidates, np.asarray(inliers, dtype=np.intp), axis=0)
    return None


def heights_above_floor(points: np.ndarray, plane: np.ndarray | None) -> np.ndarray:
    """float32 (N,) height of each point: base z, or the signed distance above ``plane``."""
    if plane is None:
        return points[:, 2]
    return points @ plane[:3] + plane[3]
