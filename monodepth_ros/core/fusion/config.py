"""Settings of the LiDAR scale fusion (pixel sizes refer to the prediction's resolution)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FusionConfig:
    """Settings of ScaleFusion; pixel sizes refer to the prediction's resolution."""

    min_points: int = 20
    """Fewest valid LiDAR points (finite, > 0, on a valid prediction pixel) that make a fit."""
    inlier_log_threshold: float = 0.15
    """A point is an inlier of the global fit when its log depth ratio to the fit is below this (0.15 ~ 16 %)."""
    ransac_hypotheses: int = 128
    """Point pairs tried by RANSAC for relative models."""
    ransac_scored_points: int = 2000
    """At most this many points (evenly strided) score each RANSAC hypothesis (also for the ground plane)."""
    random_seed: int = 0
    """Seed of the RANSAC sampling; reset() restarts the sequence."""
    local_strength: float = 1.0
    """Fraction of the local correction applied, 0 (global only) to 1."""
    local_sigma_factor: float = 2.0
    """Spatial sigma of the fine level = this x the mean distance from a pixel within the LiDAR coverage to its
    nearest LiDAR point (g / 4 for scan lines g pixels apart), clamped to [local_sigma_min_px, local_sigma_max_px]."""
    local_sigma_min_px: float = 4.0
    """Smallest spatial sigma of the fine level, pixels."""
    local_sigma_max_px: float = 32.0
    """Largest spatial sigma of the fine level, pixels."""
    local_coarse_factor: float = 3.0
    """Spatial sigma of the coarse level = this x the fine sigma. The coarse level carries the correction of the
    nearest LiDAR-supported region into pixels the fine level does not reach; about three coarse sigmas away from
    any LiDAR point the correction has faded to the global one."""
    local_range_sigma_log: float = 0.1
    """Spacing of the log-depth layers of the fine level: points correct pixels whose predicted depth is within a
    few of these."""
    local_max_layers: int = 32
    """Upper bound on the log-depth layers (and half the bound on the residual layers of the outlier test); the
    spacing grows when the range needs more."""
    local_prior_points: float = 0.5
    """Weight, in points, of the fallback: with w Gaussian-weighted points of support the fine level's correction is
    (weighted sum + local_prior_points x fallback) / (w + local_prior_points), and the coarse level's falls back to
    zero, the global correction, the same way. In the outlier test, the weight of the global fit."""
    local_outlier_log: float = 0.15
    """Points agree when their log ratios to the globally corrected depth differ by less than one to one and a half
    times this."""
    local_min_agreement: float = 0.5
    """A point takes part in the local stage when the Gaussian-weighted points around it (fine sigma) and the global
    fit (local_prior_points points of log ratio zero) that agree with it make up at least this fraction of them;
    so an isolated point takes part when it agrees with the global fit, and a point far from the global fit needs
    neighbours that confirm it. Points on the ground plane always take part."""
    local_working_px: int = 400
    """The local stage works at 1 / s of the image resolution, s the smallest whole number that makes neither side
    longer than this; the guided filter's coefficients are applied to the full-resolution guide (He et al.'s fast
    guided filter)."""
    ground_inlier_log: float = 0.05
    """A LiDAR point lies on the ground plane when its inverse depth is within this fraction of the plane's. The
    ground plane is fitted to the points near the lowest LiDAR point of each column, and is the correction below
    those (see the module docstring)."""
    ground_hypotheses: int = 64
    """Point triples tried by RANSAC for the ground plane."""
    guided_radius_px: int = 8
    """Window radius of the guided filter, pixels (rounded to whole working pixels, at least one)."""
    guided_eps: float = 1e-3
    """Guided filter regularisation in (log depth)^2: depth steps well above sqrt(eps) stay sharp. The filter
    applies in proportion to variance / (variance + eps) of the guide in the window, i.e. where the prediction has
    structure."""
    temporal_time_constant_frames: float = 5.0
    """Time constant of the exponential filter on the log scale, frames; 0 turns smoothing off."""
    temporal_noise_log: float = 0.02
    """Expected frame-to-frame jitter of the fitted log scale. An innovation above 3 x this is clipped to it,
    unless the frame before had one of the same sign: then the change is real and the filter jumps to it, so a
    step in scale is followed fully on its second frame."""
    hold_frames: int = 10
    """Relative models reuse their last fit for up to this many frames after it when a frame cannot be fitted;
    the temporal filter of metric models restarts after more than this many frames without a fit."""

    def __post_init__(self) -> None:
        checks = {
            "min_points >= 2": self.min_points >= 2,
            "inlier_log_threshold > 0": self.inlier_log_threshold > 0.0,
            "ransac_hypotheses >= 1": self.ransac_hypotheses >= 1,
            "ransac_scored_points >= 2": self.ransac_scored_points >= 2,
            "0 <= local_strength <= 1": 0.0 <= self.local_strength <= 1.0,
            "local_sigma_factor > 0": self.local_sigma_factor > 0.0,
            "0 < local_sigma_min_px <= local_sigma_max_px": 0.0 < self.local_sigma_min_px <= self.local_sigma_max_px,
            "local_coarse_factor >= 1": self.local_coarse_factor >= 1.0,
            "local_range_sigma_log > 0": self.local_range_sigma_log > 0.0,
            "2 <= local_max_layers <= 200": 2 <= self.local_max_layers <= 200,
            "local_prior_points > 0": self.local_prior_points > 0.0,
            "local_outlier_log > 0": self.local_outlier_log > 0.0,
            "0 <= local_min_agreement <= 1": 0.0 <= self.local_min_agreement <= 1.0,
            "ground_inlier_log > 0": self.ground_inlier_log > 0.0,
            "ground_hypotheses >= 1": self.ground_hypotheses >= 1,
            "local_working_px >= 16": self.local_working_px >= 16,
            "guided_radius_px >= 1": self.guided_radius_px >= 1,
            "guided_eps > 0": self.guided_eps > 0.0,
            "temporal_time_constant_frames >= 0": self.temporal_time_constant_frames >= 0.0,
            "temporal_noise_log > 0": self.temporal_noise_log > 0.0,
            "hold_frames >= 0": self.hold_frames >= 0,
        }
        failed = [rule for rule, ok in checks.items() if not ok]
        if failed:
            raise ValueError(f"invalid fusion settings: need {', '.join(failed)}")
