"""Where the metric scale of a frame comes from: LiDAR, the ground plane at the known camera height, or LiDAR with
the ground plane as fallback (ROS-free)."""
from __future__ import annotations

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.fusion.config import FusionConfig, GroundScaleConfig
from monodepth_ros.core.fusion.ground_plane_scale import GroundPlaneScale
from monodepth_ros.core.fusion.scale_fusion import FusionResult, FusionStatus, ScaleFusion

SCALE_SOURCES = ("lidar", "ground_plane", "lidar_then_ground")
"""lidar: ScaleFusion only. ground_plane: GroundPlaneScale only (no LiDAR needed). lidar_then_ground: ScaleFusion
where the frame has LiDAR points that fit, else GroundPlaneScale (LiDAR wins whenever it is present)."""
SOURCES_WITH_LIDAR = ("lidar", "lidar_then_ground")
SOURCES_WITH_GROUND = ("ground_plane", "lidar_then_ground")


class ScaleSource:
    """One of SCALE_SOURCES, frame by frame; the result says which made the depth (FUSED: LiDAR; GROUND_PLANE)."""

    def __init__(self, source: str, fusion: FusionConfig | None = None, ground: GroundScaleConfig | None = None
                 ) -> None:
        if source not in SCALE_SOURCES:
            raise ValueError(f"scale source must be one of {', '.join(SCALE_SOURCES)}, got {source!r}")
        self.source = source
        fusion = fusion or FusionConfig()
        self.lidar = ScaleFusion(fusion) if source in SOURCES_WITH_LIDAR else None
        self.ground = (GroundPlaneScale(ground, fusion.random_seed, fusion.local_correction)
                       if source in SOURCES_WITH_GROUND else None)

    @property
    def uses_lidar(self) -> bool:
        return self.lidar is not None

    @property
    def uses_ground(self) -> bool:
        return self.ground is not None

    def reset(self) -> None:
        """Forget the smoothed and held scales (a new sequence)."""
        for source in (self.lidar, self.ground):
            if source is not None:
                source.reset()

    def fuse(self, prediction: np.ndarray, kind: DepthKind, sparse_depth: np.ndarray | None, intrinsics: Intrinsics,
             base_from_camera: np.ndarray | None, stamp_s: float, pose_problem: str = "",
             rgb: np.ndarray | None = None) -> FusionResult:
        """Metric depth of one frame. ``sparse_depth`` float (H, W) LiDAR metres (NaN = none), None without LiDAR;
        ``base_from_camera`` 4x4 or None (``pose_problem`` says why) for the ground plane; ``stamp_s`` seconds;
        ``rgb`` the camera image (uint8 (H', W', 3)) for the ground plane's floor appearance, or None."""
        result = None
        if self.lidar is not None:
            if sparse_depth is None:
                sparse_depth = np.full(np.shape(prediction), np.nan, np.float32)
            result = self.lidar.fuse(prediction, kind, sparse_depth)
            if result.status is FusionStatus.FUSED or self.ground is None:
                return result
        ground = self.ground.fuse(prediction, kind, intrinsics, base_from_camera, stamp_s, pose_problem, rgb)
        if result is None or ground.status in (FusionStatus.GROUND_PLANE, FusionStatus.HELD):
            return ground
        return result
