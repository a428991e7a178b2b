"""What the synthetic scene is made of: obstacles, surface looks and the robot's path (world frame, metres)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

PATH_SAMPLES = 2048


@dataclass(frozen=True)
class BoxObstacle:
    """Axis-aligned box standing on the floor (kind 'box'), a wall of the room ('wall') or the visitor ('visitor')."""

    kind: str
    min_xy: tuple[float, float]
    """World-frame footprint corner with the smallest x and y (metres)."""
    max_xy: tuple[float, float]
    height_m: float

    def distance_m(self, xy: np.ndarray) -> np.ndarray:
        """Distance (m) from world points (N, 2) to the footprint; 0 inside."""
        outside = np.maximum(np.maximum(np.asarray(self.min_xy) - xy, xy - np.asarray(self.max_xy)), 0.0)
        return np.hypot(outside[:, 0], outside[:, 1])

    @property
    def bounding_radius_m(self) -> float:
        return 0.5 * math.hypot(self.max_xy[0] - self.min_xy[0], self.max_xy[1] - self.min_xy[1])

    @property
    def centre_xy(self) -> tuple[float, float]:
        return (0.5 * (self.min_xy[0] + self.max_xy[0]), 0.5 * (self.min_xy[1] + self.max_xy[1]))


@dataclass(frozen=True)
class PillarObstacle:
    """Vertical cylinder standing on the floor."""

    centre_xy: tuple[float, float]
    """World-frame centre of the footprint circle (metres)."""
    radius_m: float
    height_m: float
    kind: str = field(default="pillar", init=False)

    def distance_m(self, xy: np.ndarray) -> np.ndarray:
        """Distance (m) from world points (N, 2) to the footprint; 0 inside."""
        return np.maximum(np.hypot(xy[:, 0] - self.centre_xy[0], xy[:, 1] - self.centre_xy[1]) - self.radius_m,
                          0.0)

    @property
    def bounding_radius_m(self) -> float:
        return self.radius_m


Obstacle = BoxObstacle | PillarObstacle


@dataclass(frozen=True)
class SurfaceLook:
    """Procedural texture of one surface."""

    base_rgb: tuple[float, float, float]
    pattern: str
    cell_m: float


class EllipticalPath:
    """Closed ellipse around the world origin, travelled counter-clockwise at constant speed."""

    def __init__(self, semi_axes_m: tuple[float, float], speed_mps: float) -> None:
        self.semi_x, self.semi_y = semi_axes_m
        self.speed_mps = speed_mps
        angles = np.linspace(0.0, 2.0 * np.pi, PATH_SAMPLES + 1)
        self.points_xy = np.stack([self.semi_x * np.cos(angles), self.semi_y * np.sin(angles)], axis=1)
        segment_lengths = np.linalg.norm(np.diff(self.points_xy, axis=0), axis=1)
        self.arc_lengths = np.concatenate([[0.0], np.cumsum(segment_lengths)])
        self.angles = angles
        self.length_m = float(self.arc_lengths[-1])

    def angle_at(self, t_s: float) -> float:
        arc = (self.speed_mps * t_s) % self.length_m
        return float(np.interp(arc, self.arc_lengths, self.angles))

    def pose_xy_yaw(self, t_s: float) -> tuple[float, float, float]:
        angle = self.angle_at(t_s)
        yaw = math.atan2(self.semi_y * math.cos(angle), -self.semi_x * math.sin(angle))
        return self.semi_x * math.cos(angle), self.semi_y * math.sin(angle), yaw

    def yaw_rate(self, t_s: float) -> float:
        """Yaw rate (rad/s) = speed x curvature of the ellipse."""
        angle = self.angle_at(t_s)
        denominator = ((self.semi_x * math.sin(angle)) ** 2 + (self.semi_y * math.cos(angle)) ** 2) ** 1.5
        return self.speed_mps * self.semi_x * self.semi_y / denominator

    def distance_m(self, obstacle: Obstacle) -> float:
        """Smallest distance from the path to the obstacle's footprint."""
        return float(obstacle.distance_m(self.points_xy).min())
