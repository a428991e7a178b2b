"""Settings of a RollingCostmap: geometry, evidence model and inflation (see rolling_costmap)."""
from __future__ import annotations

import math
from dataclasses import dataclass

GROUND_REMOVALS = ("height", "ransac")
MAX_CELLS_PER_SIDE = 4000


@dataclass(frozen=True)
class CostmapConfig:
    """Geometry, evidence model and inflation of a RollingCostmap (see the module docstring)."""

    resolution_m: float = 0.05
    size_m: float = 10.0
    """Side of the square window centred on the robot, in the base frame."""
    min_obstacle_height_m: float = 0.1
    max_obstacle_height_m: float = 1.8
    ground_removal: str = "height"
    """'height' (base z) or 'ransac' (height above a fitted floor plane)."""
    ransac_distance_m: float = 0.05
    """Largest distance of a floor point from the plane when fitting it."""
    ransac_iterations: int = 100
    ransac_max_tilt_deg: float = 15.0
    ransac_max_floor_offset_m: float = 0.3
    clearing_band_m: float = 0.3
    """Height of the bands, from the floor up to max_obstacle_height_m, that each cell keeps evidence for: a ray
    clears only the bands it crosses, so a ray passing over a low obstacle leaves it; at least max_obstacle_height_m
    gives one band (2-D clearing)."""
    min_confidence: float = 0.3
    """Points whose confidence (0..1) is below this neither mark nor clear."""
    range_weight_m: float = 0.0
    """A hit of a point farther than this from the sensor weighs range_weight_m / range (times its confidence):
    monocular depth errors grow with distance. 0: hits weigh their confidence alone."""
    raytrace_clearing: bool = True
    raytrace_max_range_m: float = 5.0
    obstacle_max_range_m: float = 4.0
    obstacle_min_range_m: float = 0.1
    """Points nearer than this to the sensor (3-D) neither mark nor clear: many drivers send (0, 0, 0) for a
    missing return, and the sensor's own mount is no obstacle."""
    future_stamp_tolerance_s: float = 1.0
    """Largest lead of an update stamp over the clock (``now_s``) accepted; a later stamp is refused, and stored
    stamps this far ahead of the clock (the clock jumped back) restart the decay."""
    hit_probability: float = 0.7
    miss_probability: float = 0.4
    occupied_probability: float = 0.6
    free_probability: float = 0.45
    min_probability: float = 0.4
    """Lower clamp: at miss_probability one miss saturates free space, so one hit marks an obstacle again."""
    max_probability: float = 0.9
    """Upper clamp: an obstacle seen for long needs (logit(0.9) - logit(0.6)) / -logit(0.4) = 5 misses to go."""
    evidence_half_life_s: float = 5.0
    """Evidence halves every this many seconds of stamp time; 0 = kept until contradicted."""
    inscribed_radius_m: float = 0.1
    """The robot's inscribed radius (Nav2 robot_radius for a round robot)."""
    inflation_radius_m: float = 0.55
    cost_scaling_factor: float = 10.0

    def __post_init__(self) -> None:
        problems = []
        if not self.resolution_m > 0.0 or not self.size_m >= self.resolution_m:
            problems.append(f"need 0 < resolution_m <= size_m, got {self.resolution_m} and {self.size_m}")
        elif self.cells > MAX_CELLS_PER_SIDE:
            problems.append(f"size_m / resolution_m = {self.cells} cells per side, more than {MAX_CELLS_PER_SIDE}")
        if not 0.0 <= self.min_obstacle_height_m < self.max_obstacle_height_m:
            problems.append(f"need 0 <= min_obstacle_height_m < max_obstacle_height_m, got "
                            f"{self.min_obstacle_height_m} and {self.max_obstacle_height_m}")
        if self.ground_removal not in GROUND_REMOVALS:
            problems.append(f"ground_removal must be one of {', '.join(GROUND_REMOVALS)}, got "
                            f"{self.ground_removal!r}")
        if not (self.ransac_distance_m > 0.0 and self.ransac_iterations >= 1
                and 0.0 < self.ransac_max_tilt_deg < 90.0 and self.ransac_max_floor_offset_m >= 0.0):
            problems.append("need ransac_distance_m > 0, ransac_iterations >= 1, 0 < ransac_max_tilt_deg < 90 and "
                            "ransac_max_floor_offset_m >= 0")
        if not (self.clearing_band_m > 0.0 and 0.0 <= self.min_confidence <= 1.0 and self.range_weight_m >= 0.0):
            problems.append(f"need clearing_band_m > 0, 0 <= min_confidence <= 1 and range_weight_m >= 0, got "
                            f"{self.clearing_band_m}, {self.min_confidence}, {self.range_weight_m}")
        if not (self.raytrace_max_range_m > 0.0 and self.obstacle_max_range_m > 0.0):
            problems.append("raytrace_max_range_m and obstacle_max_range_m must be positive")
        if not 0.0 <= self.obstacle_min_range_m < self.obstacle_max_range_m:
            problems.append(f"need 0 <= obstacle_min_range_m < obstacle_max_range_m, got "
                            f"{self.obstacle_min_range_m} and {self.obstacle_max_range_m}")
        if not self.future_stamp_tolerance_s >= 0.0:
            problems.append(f"future_stamp_tolerance_s must be >= 0, got {self.future_stamp_tolerance_s}")
        if not 0.0 < self.miss_probability < 0.5 < self.hit_probability < 1.0:
            problems.append(f"need 0 < miss_probability < 0.5 < hit_probability < 1, got "
                            f"{self.miss_probability} and {self.hit_probability}")
        if not (0.0 < self.min_probability <= self.free_probability < 0.5 < self.occupied_probability
                <= self.max_probability < 1.0):
            problems.append("need 0 < min_probability <= free_probability < 0.5 < occupied_probability <= "
                            f"max_probability < 1, got {self.min_probability}, {self.free_probability}, "
                            f"{self.occupied_probability}, {self.max_probability}")
        if not self.evidence_half_life_s >= 0.0:
            problems.append(f"evidence_half_life_s must be >= 0, got {self.evidence_half_life_s}")
        if not (0.0 <= self.inscribed_radius_m <= self.inflation_radius_m and self.cost_scaling_factor >= 0.0):
            problems.append(f"need 0 <= inscribed_radius_m <= inflation_radius_m and cost_scaling_factor >= 0, got "
                            f"{self.inscribed_radius_m}, {self.inflation_radius_m}, {self.cost_scaling_factor}")
        if problems:
            raise ValueError("invalid costmap configuration: " + "; ".join(problems))

    @property
    def bands(self) -> int:
        """Height bands of evidence per cell (see clearing_band_m)."""
        return max(1, math.ceil(self.max_obstacle_height_m / self.clearing_band_m - 1e-9))

    def band_limits(self, band: int, floor_clip: bool) -> tuple[float, float]:
        """Heights (bottom, top) in metres of ``band``; the lowest reaches down to -inf unless ``floor_clip``
        (then 0), the highest stops at max_obstacle_height_m."""
        bottom = band * self.clearing_band_m if band > 0 or floor_clip else -math.inf
        return bottom, min((band + 1) * self.clearing_band_m, self.max_obstacle_height_m)

    @property
    def cells(self) -> int:
        """Cells along each side of the base-frame window."""
        return int(round(self.size_m / self.resolution_m))
