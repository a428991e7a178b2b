"""Settings of the LiDAR scale fusion, one frozen config per stage (pixel sizes refer to the prediction's resolution).

FusionConfig composes GlobalFitConfig (global_fit.py), LocalCorrectionConfig with its GroundPlaneConfig and
GuidedFilterConfig (local_correction.py) and ScaleSmootherConfig (scale_smoother.py); each stage module takes only
its own config. Every config checks its values when it is made and raises ValueError naming the rules broken.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def _require(config: object, checks: dict[str, bool]) -> None:
    """Raise ValueError naming the rules of ``checks`` (rule -> holds) that do not hold."""
    failed = [rule for rule, holds in checks.items() if not holds]
    if failed:
        raise ValueError(f"invalid {type(config).__name__}: need {', '.join(failed)}")


@dataclass(frozen=True)
class GlobalFitConfig:
    """The robust global fit of the prediction to the LiDAR points (global_fit.py)."""

    min_points: int = 20
    """Fewest valid LiDAR points (finite, > 0, on a valid prediction pixel) that make a fit."""
    inlier_log_threshold: float = 0.15
    """A point is an inlier of the global fit when its log depth ratio to the fit is below this (0.15 ~ 16 %)."""
    ransac_hypotheses: int = 128
    """Point pairs tried by RANSAC for relative models."""
    ransac_scored_points: int = 2000
    """At most this many points (evenly strided) score each RANSAC hypothesis."""

    def __post_init__(self) -> None:
        _require(self, {
            "min_points >= 2": self.min_points >= 2,
            "inlier_log_threshold > 0": self.inlier_log_threshold > 0.0,
            "ransac_hypotheses >= 1": self.ransac_hypotheses >= 1,
            "ransac_scored_points >= 2": self.ransac_scored_points >= 2,
        })


@dataclass(frozen=True)
class GroundPlaneConfig:
    """The ground plane that continues the local correction below the lowest LiDAR points (local_correction.py)."""

    inlier_log: float = 0.05
    """A LiDAR point lies on the ground plane when its inverse depth is within this fraction of the plane's. The
    ground plane is fitted to the points near the lowest LiDAR point of each column, and is the correction below
    those (see scale_fusion's docstring)."""
    hypotheses: int = 64
    """Point triples tried by RANSAC for the ground plane."""
    min_points: int = 20
    """Fewest LiDAR points near the lowest ones, and fewest on the plane, that make a ground."""
    scored_points: int = 2000
    """At most this many candidate points (evenly strided) score each RANSAC hypothesis."""

    def __post_init__(self) -> None:
        _require(self, {
            "inlier_log > 0": self.inlier_log > 0.0,
            "hypotheses >= 1": self.hypotheses >= 1,
            "min_points >= 2": self.min_points >= 2,
            "scored_points >= 2": self.scored_points >= 2,
        })


@dataclass(frozen=True)
class GuidedFilterConfig:
    """The guided filter that snaps the local correction to the prediction's depth edges (local_correction.py)."""

    radius_px: int = 8
    """Window radius, pixels (rounded to whole working pixels, at least one)."""
    eps: float = 1e-3
    """Regularisation in (log depth)^2: depth steps well above sqrt(eps) stay sharp. The filter applies in
    proportion to variance / (variance + eps) of the guide in the window, i.e. where the prediction has structure."""

    def __post_init__(self) -> None:
        _require(self, {"radius_px >= 1": self.radius_px >= 1, "eps > 0": self.eps > 0.0})


@dataclass(frozen=True)
class LocalCorrectionConfig:
    """The spatially varying correction towards the LiDAR points on top of the global fit (local_correction.py)."""

    strength: float = 1.0
    """Fraction of the local correction applied, 0 (global only) to 1."""
    sigma_factor: float = 2.0
    """Spatial sigma of the fine level = this x the mean distance from a pixel within the LiDAR coverage to its
    nearest LiDAR point (g / 4 for scan lines g pixels apart), clamped to [sigma_min_px, sigma_max_px]."""
    sigma_min_px: float = 4.0
    """Smallest spatial sigma of the fine level, pixels."""
    sigma_max_px: float = 32.0
    """Largest spatial sigma of the fine level, pixels."""
    coarse_factor: float = 3.0
    """Spatial sigma of the coarse level = this x the fine sigma. The coarse level carries the correction of the
    nearest LiDAR-supported region into pixels the fine level does not reach; about three coarse sigmas away from
    any LiDAR point the correction has faded to the global one."""
    range_sigma_log: float = 0.1
    """Spacing of the log-depth layers of the fine level: points correct pixels whose predicted depth is within a
    few of these."""
    max_layers: int = 32
    """Upper bound on the log-depth layers (and half the bound on the residual layers of the outlier test); the
    spacing grows when the range needs more."""
    prior_points: float = 0.5
    """Weight, in points, of the fallback: with w Gaussian-weighted points of support the fine level's correction is
    (weighted sum + prior_points x fallback) / (w + prior_points), and the coarse level's falls back to zero, the
    global correction, the same way. In the outlier test, the weight of the global fit."""
    outlier_log: float = 0.15
    """Points agree when their log ratios to the globally corrected depth differ by less than one to one and a half
    times this."""
    min_agreement: float = 0.5
    """A point takes part in the local stage when the Gaussian-weighted points around it (fine sigma) and the global
    fit (prior_points points of log ratio zero) that agree with it make up at least this fraction of them; so an
    isolated point takes part when it agrees with the global fit, and a point far from the global fit needs
    neighbours that confirm it. Points on the ground plane always take part."""
    working_px: int = 400
    """The local stage works at 1 / s of the image resolution, s the smallest whole number that makes neither side
    longer than this; the guided filter's coefficients are applied to the full-resolution guide (He et al.'s fast
    guided filter)."""
    ground: GroundPlaneConfig = field(default_factory=GroundPlaneConfig)
    """The ground plane below the lowest LiDAR points."""
    guided_filter: GuidedFilterConfig = field(default_factory=GuidedFilterConfig)
    """The edge-aware filter of the correction."""

    def __post_init__(self) -> None:
        _require(self, {
            "0 <= strength <= 1": 0.0 <= self.strength <= 1.0,
            "sigma_factor > 0": self.sigma_factor > 0.0,
            "0 < sigma_min_px <= sigma_max_px": 0.0 < self.sigma_min_px <= self.sigma_max_px,
            "coarse_factor >= 1": self.coarse_factor >= 1.0,
            "range_sigma_log > 0": self.range_sigma_log > 0.0,
            "2 <= max_layers <= 200": 2 <= self.max_layers <= 200,
            "prior_points > 0": self.prior_points > 0.0,
            "outlier_log > 0": self.outlier_log > 0.0,
            "0 <= min_agreement <= 1": 0.0 <= self.min_agreement <= 1.0,
            "working_px >= 16": self.working_px >= 16,
            "ground to be a GroundPlaneConfig": isinstance(self.ground, GroundPlaneConfig),
            "guided_filter to be a GuidedFilterConfig": isinstance(self.guided_filter, GuidedFilterConfig),
        })


@dataclass(frozen=True)
class ScaleSmootherConfig:
    """The temporal filter of the fitted log scale of metric models across frames (scale_smoother.py)."""

    time_constant_frames: float = 5.0
    """Time constant of the exponential filter on the log scale, frames; 0 turns smoothing off."""
    noise_log: float = 0.02
    """Expected frame-to-frame jitter of the fitted log scale. An innovation above 3 x this is clipped to it,
    unless the frame before had one of the same sign: then the change is real and the filter jumps to it, so a
    step in scale is followed fully on its second frame."""

    def __post_init__(self) -> None:
        _require(self, {"time_constant_frames >= 0": self.time_constant_frames >= 0.0,
                        "noise_log > 0": self.noise_log > 0.0})


@dataclass(frozen=True)
class FusionConfig:
    """Settings of ScaleFusion: one config per stage, and what ties the frames of a sequence together."""

    global_fit: GlobalFitConfig = field(default_factory=GlobalFitConfig)
    local_correction: LocalCorrectionConfig = field(default_factory=LocalCorrectionConfig)
    scale_smoother: ScaleSmootherConfig = field(default_factory=ScaleSmootherConfig)
    hold_frames: int = 10
    """Relative models reuse their last fit for up to this many frames after it when a frame cannot be fitted;
    the scale smoother of metric models restarts after more than this many frames without a fit."""
    random_seed: int = 0
    """Seed of the RANSAC sampling (global fit and ground plane); ScaleFusion.reset() restarts the sequence."""

    def __post_init__(self) -> None:
        _require(self, {
            "global_fit to be a GlobalFitConfig": isinstance(self.global_fit, GlobalFitConfig),
            "local_correction to be a LocalCorrectionConfig": isinstance(self.local_correction,
                                                                         LocalCorrectionConfig),
            "scale_smoother to be a ScaleSmootherConfig": isinstance(self.scale_smoother, ScaleSmootherConfig),
            "hold_frames >= 0": self.hold_frames >= 0,
        })


@dataclass(frozen=True)
class GroundScaleConfig:
    """The metric scale from the ground plane at the known camera height, without LiDAR (ground_plane_scale.py)."""

    min_depression_deg: float = 8.0
    """Only pixels whose ray points at least this far below the horizon can be ground (near the horizon the
    ground's depth grows without bound and the fit is ill-conditioned)."""
    max_ground_range_m: float = 8.0
    """Pixels whose ray meets the ground plane farther than this (metres along the optical axis) are not used."""
    decimation: int = 4
    """Every N-th pixel in both axes is a candidate."""
    inlier_log_threshold: float = 0.05
    """A candidate is on the ground when its log depth ratio to the ground plane's is within this of the fit."""
    min_inliers: int = 150
    """Fewest candidates on the ground that make a fit."""
    min_inlier_fraction: float = 0.2
    """Fewest candidates on the ground, as a fraction of all candidates, that make a fit (the confidence)."""
    floor_log_threshold: float = 0.15
    """After the global fit, candidates whose scaled depth is within this log ratio of the floor's are taken as
    floor points, with the floor's depth, by the local correction (LocalCorrectionConfig of the fusion), as LiDAR
    points would be (0.15: a point about 7 % of the camera height above the floor still counts)."""
    appearance_width_px: int = 160
    """With a camera image, the floor's appearance is learnt and looked up at this width (pixels)."""
    appearance_threshold: float = 0.08
    """A pixel looks like the floor when its hue-saturation bin holds at least this fraction of the fullest bin of
    the floor pixels the fit found."""
    appearance_max_log_ratio: float = 1.0
    """A pixel that looks like the floor is floor only where the floor's depth is at most e^this times the scaled
    prediction (the prediction may place the far floor too near, but not a surface standing up to the horizon)."""
    standing_run_px: int = 6
    """The foot of an obstacle: the lowest row of a column above which this many rows do not look like the floor
    while at least half of the rows below do (pixels of the working width)."""
    standing_log_band: float = 0.3
    """Above its foot an obstacle is a vertical surface at the foot's distance, up to where the prediction's log
    depth leaves this band around its value just above the foot (the top edge the prediction shows)."""
    hold_s: float = 2.0
    """Without a fit, the last scale is reused for at most this long (seconds of stamp time), then depth passes
    unscaled (metric models) or is NaN (relative models)."""
    scale_smoother: ScaleSmootherConfig = field(default_factory=ScaleSmootherConfig)
    """The temporal filter of the fitted log scale (metric models)."""

    def __post_init__(self) -> None:
        _require(self, {
            "0 < min_depression_deg < 90": 0.0 < self.min_depression_deg < 90.0,
            "max_ground_range_m > 0": self.max_ground_range_m > 0.0,
            "decimation >= 1": self.decimation >= 1,
            "inlier_log_threshold > 0": self.inlier_log_threshold > 0.0,
            "min_inliers >= 2": self.min_inliers >= 2,
            "floor_log_threshold > 0": self.floor_log_threshold > 0.0,
            "appearance_width_px >= 16": self.appearance_width_px >= 16,
            "0 < appearance_threshold < 1": 0.0 < self.appearance_threshold < 1.0,
            "appearance_max_log_ratio > 0": self.appearance_max_log_ratio > 0.0,
            "standing_run_px >= 1": self.standing_run_px >= 1,
            "standing_log_band > 0": self.standing_log_band > 0.0,
            "0 < min_inlier_fraction <= 1": 0.0 < self.min_inlier_fraction <= 1.0,
            "hold_s >= 0": self.hold_s >= 0.0,
            "scale_smoother to be a ScaleSmootherConfig": isinstance(self.scale_smoother, ScaleSmootherConfig),
        })
