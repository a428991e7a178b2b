"""Settings of the synthetic scene, and the pose of its LiDAR in its camera frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.transforms import invert, pose7_from_transform, transform_from_pose7

ENVIRONMENTS = ("indoor", "outdoor")
PATTERNS = ("checkers", "stripes", "noise")
DEFAULT_CAMERA_POSE_IN_BASE = (0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5)
"""Optical frame 0.1 m ahead of and 0.5 m above base_link, looking along base x (rotation OPTICAL_FROM_BODY^T)."""


@dataclass(frozen=True)
class SimSceneConfig:
    """Everything that defines a scene; equal configs give identical scenes."""

    seed: int = 0
    environment: str = "indoor"
    """'indoor': walled room with a ceiling; 'outdoor': open ground under the sky."""
    image_width: int = 640
    image_height: int = 480
    fov_deg: float = 70.0
    """Horizontal field of view; square pixels, principal point at the image centre."""
    lidar_beams: int = 16
    lidar_vertical_fov_deg: tuple[float, float] = (-15.0, 15.0)
    """Elevation of the lowest and the highest beam; beams are spread evenly in between."""
    lidar_horizontal_resolution_deg: float = 0.2
    """Azimuth step; a revolution has round(360 / step) evenly spaced rays per beam."""
    lidar_range_noise_m: float = 0.02
    """Standard deviation of the gaussian noise added to each range."""
    lidar_dropout: float = 0.05
    """Fraction of returns removed at random."""
    lidar_max_range_m: float = 30.0
    camera_pose_in_base: tuple[float, ...] = DEFAULT_CAMERA_POSE_IN_BASE
    """Camera optical frame in base_link, [x, y, z, qx, qy, qz, qw]."""
    lidar_pose_in_base: tuple[float, ...] = (0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 1.0)
    """LiDAR frame in base_link, [x, y, z, qx, qy, qz, qw]."""
    area_size_m: tuple[float, float] = (12.0, 9.0)
    """Room interior (indoor) or obstacle area (outdoor), x by y, centred on the world origin."""
    wall_height_m: float = 2.5
    """Height of the walls and the ceiling (indoor)."""
    box_count: int = 8
    pillar_count: int = 6
    path_speed_mps: float = 0.5
    path_semi_axes_m: tuple[float, float] = (3.5, 2.3)
    """Semi-axes along world x and y of the elliptical path of base_link."""
    path_clearance_m: float = 0.7
    """No obstacle footprint comes closer than this to the path."""
    visitor_distance_m: float = 0.0
    """A person-sized box this far ahead of base_link's start pose (on the path); 0 = no visitor."""
    visitor_leaves_s: float = 0.0
    """Path time (s) from which the visitor is gone, as if it walked away (see SimScene.set_time); 0 = it stays."""
    mover_distance_m: float = 0.0
    """A person-sized box walks across the path this far ahead of base_link's start pose (on the path), back and
    forth (see SimScene.set_time); 0 = no mover."""
    mover_speed_mps: float = 1.0
    """Walking speed of the mover (m/s)."""
    mover_span_m: float = 3.0
    """The mover walks between span/2 left and span/2 right of the path (m), starting on the left."""

    def __post_init__(self) -> None:
        error = self._first_error()
        if error:
            raise ValueError(f"invalid SimSceneConfig: {error}")

    def _first_error(self) -> str | None:
        if self.environment not in ENVIRONMENTS:
            return f"environment must be one of {', '.join(ENVIRONMENTS)}, got {self.environment!r}"
        if self.image_width < 1 or self.image_height < 1:
            return f"image size must be positive, got {self.image_width}x{self.image_height}"
        if not 0.0 < self.fov_deg < 180.0:
            return f"fov_deg must lie in (0, 180), got {self.fov_deg}"
        if self.lidar_beams < 1:
            return f"lidar_beams must be at least 1, got {self.lidar_beams}"
        lowest, highest = self.lidar_vertical_fov_deg
        if not -90.0 <= lowest <= highest <= 90.0 or (self.lidar_beams > 1 and lowest == highest):
            return ("lidar_vertical_fov_deg must be [lowest, highest] within [-90, 90] with lowest < highest "
                    f"for more than one beam, got {list(self.lidar_vertical_fov_deg)}")
        if not 0.0 < self.lidar_horizontal_resolution_deg <= 360.0:
            return f"lidar_horizontal_resolution_deg must lie in (0, 360], got {self.lidar_horizontal_resolution_deg}"
        if self.lidar_range_noise_m < 0.0:
            return f"lidar_range_noise_m must not be negative, got {self.lidar_range_noise_m}"
        if not 0.0 <= self.lidar_dropout < 1.0:
            return f"lidar_dropout must lie in [0, 1), got {self.lidar_dropout}"
        if self.lidar_max_range_m <= 0.0:
            return f"lidar_max_range_m must be positive, got {self.lidar_max_range_m}"
        for name in ("camera_pose_in_base", "lidar_pose_in_base"):
            pose = getattr(self, name)
            if len(pose) != 7 or not np.isfinite(pose).all() or np.linalg.norm(pose[3:]) < 1e-6:
                return f"{name} must be [x, y, z, qx, qy, qz, qw] with a non-zero quaternion, got {list(pose)}"
        if self.wall_height_m <= 0.0:
            return f"wall_height_m must be positive, got {self.wall_height_m}"
        if self.box_count < 0 or self.pillar_count < 0:
            return f"box_count and pillar_count must not be negative, got {self.box_count}, {self.pillar_count}"
        if self.path_speed_mps < 0.0:
            return f"path_speed_mps must not be negative, got {self.path_speed_mps}"
        if self.path_clearance_m <= 0.0:
            return f"path_clearance_m must be positive, got {self.path_clearance_m}"
        if self.mover_distance_m < 0.0 or self.mover_speed_mps < 0.0 or self.mover_span_m <= 0.0:
            return ("mover_distance_m and mover_speed_mps must not be negative and mover_span_m must be positive, "
                    f"got {self.mover_distance_m}, {self.mover_speed_mps}, {self.mover_span_m}")
        if self.visitor_distance_m < 0.0:
            return f"visitor_distance_m must not be negative, got {self.visitor_distance_m}"
        if min(self.path_semi_axes_m) <= 0.0:
            return f"path_semi_axes_m must be positive, got {list(self.path_semi_axes_m)}"
        for axis, semi_axis, size in zip("xy", self.path_semi_axes_m, self.area_size_m):
            if semi_axis + self.path_clearance_m > 0.5 * size:
                return (f"the path does not fit the area along {axis}: semi-axis {semi_axis} m + clearance "
                        f"{self.path_clearance_m} m > half of area_size_m {size} m")
        return None


def lidar_pose_in_camera(config: SimSceneConfig) -> list[float]:
    """The pose of the scene's LiDAR frame in its camera optical frame, [x, y, z, qx, qy, qz, qw] (metres)."""
    base_from_camera = transform_from_pose7(list(config.camera_pose_in_base))
    base_from_lidar = transform_from_pose7(list(config.lidar_pose_in_base))
    return pose7_from_transform(invert(base_from_camera) @ base_from_lidar)
