"""A recorded sequence of the synthetic scene: images, ground truth, poses and projected LiDAR, frame by frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.projection import project_points
from monodepth_ros.core.camera.transforms import apply, invert
from monodepth_ros.core.sim.scene import SimScene

LIDAR_MIN_DEPTH_M = 0.1


@dataclass
class SimSequence:
    """N frames in time order, as DATA.npz holds them (monodepth_ros.core.eval.datasets)."""

    rgb: np.ndarray
    """uint8 (N, H, W, 3)."""
    depth: np.ndarray
    """float32 (N, H, W) ground truth, metres along the optical axis; NaN where a ray hits nothing."""
    K: np.ndarray
    """float64 (3, 3) camera matrix in pixels."""
    sparse: np.ndarray
    """float32 (N, H, W) the LiDAR scan of each frame projected into its image, metres; NaN: no return."""
    poses: np.ndarray
    """float64 (N, 4, 4) camera optical frame in the world (camera-to-world)."""
    stamps: np.ndarray
    """float64 (N,) seconds of path time."""
    moving: np.ndarray
    """bool (N, H, W), True on the mover's pixels (all False without a mover)."""


def render_sequence(scene: SimScene, frames: int, fps: float, start_s: float = 0.0) -> SimSequence:
    """Render ``frames`` frames at ``fps`` along the scene's path from path time ``start_s`` (seconds).

    The LiDAR is scanned at each frame's pose with the scene's seed and projected into the camera
    (monodepth_ros.core.camera.projection, occlusion-filtered).
    """
    if frames < 1 or fps <= 0.0:
        raise ValueError(f"need frames >= 1 and fps > 0, got {frames} and {fps}")
    intrinsics = scene.intrinsics
    shape = (frames, intrinsics.height, intrinsics.width)
    rgb = np.empty(shape + (3,), dtype=np.uint8)
    depth = np.empty(shape, dtype=np.float32)
    sparse = np.empty(shape, dtype=np.float32)
    moving = np.zeros(shape, dtype=bool)
    poses = np.empty((frames, 4, 4))
    stamps = start_s + np.arange(frames) / fps
    camera_from_lidar = invert(scene.base_from_camera) @ scene.base_from_lidar
    rng = np.random.default_rng(scene.config.seed)
    for index, t_s in enumerate(stamps):
        scene.set_time(float(t_s))
        world_from_base = scene.base_pose(float(t_s))
        rgb[index], depth[index], ids = scene.render_camera_labelled(world_from_base)
        if scene.mover_geometry_id >= 0:
            moving[index] = ids == scene.mover_geometry_id
        poses[index] = world_from_base @ scene.base_from_camera
        points = apply(camera_from_lidar, scene.scan_lidar(world_from_base, rng))
        sparse[index] = project_points(points, intrinsics, LIDAR_MIN_DEPTH_M, scene.config.lidar_max_range_m)
    return SimSequence(rgb, depth, intrinsics.matrix, sparse, poses, stamps, moving)
