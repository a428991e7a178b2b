"""Metric depth from a monocular prediction and sparse LiDAR depth (ROS-free).

ScaleFusion.fuse runs three stages on each frame:

1. Global robust fit against the LiDAR points. Metric predictions get one scale (depth = scale * prediction),
   from the log depth ratios: median, then the mean of the inliers (|log ratio - estimate| below
   ``inlier_log_threshold``), repeated. Relative inverse predictions get scale s and shift t in inverse depth
   (1 / depth = s * prediction + t) by RANSAC on point pairs and a least-squares refit of the relative inverse
   depth error on the inliers; depth = 1 / (s * prediction + t), NaN where that is not positive.
2. Temporal smoothing of the metric scale across calls (see ``FusionConfig.temporal_time_constant_frames``).
   Relative models normalise every output on their own, so their s and t are fitted afresh each frame.
3. Local correction of the log ratio lidar / globally corrected depth at the LiDAR points (the residual), however
   large, so that obstacles the prediction misses but LiDAR hits are recovered. It works at a reduced resolution
   (``local_working_px``):

   a. Outlier rejection: a point takes part when its residual agrees with most of the points around it and the
      global fit, or when it lies on the ground plane (d.).
   b. Fine level: normalized convolution of the residuals with a Gaussian in image space, whose sigma follows
      the spacing of the LiDAR points, and in log depth (a bilateral grid, so a point corrects pixels of similar
      predicted depth first; where the prediction is flat this is a spatial Gaussian).
   c. Where the fine level has little support it falls back (weighted mean * w / (w + prior) + fallback * prior /
      (w + prior)) on the same at a coarser sigma, and that on a spatial one, so the correction of the nearest
      supported region carries on and fades to zero (the global correction) a few coarse sigmas away from any
      point.
   d. Below the lowest LiDAR point of each column, where LiDARs with a narrower vertical field of view than the
      camera miss the ground near the robot, the depth is that of a ground plane (inverse depth affine in pixel
      coordinates) fitted by RANSAC to the lowest points; where the lowest point is not on the ground, the nearer
      of the ground and the correction of c., as an object standing there hides the ground down to its foot.
   e. A guided filter (He et al.) whose guide is the log of the globally corrected depth snaps the correction
      to the depth edges of the prediction where it has structure.

Units: depth in metres along the optical axis, images float32 (H, W), NaN for invalid pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.fusion_global_fit import inverse_affine_depth, ransac_inverse_affine, residual, robust_log_scale
from monodepth_ros.core.fusion_local_correction import local_correction
from monodepth_ros.core.temporal_filter import AdaptiveLogFilter
from monodepth_ros.core.types import DepthKind

STATUS_FUSED = "fused"
FARTHEST_PERCENTILE = 1.0
"""Percentile of a relative prediction taken as its farthest pixels (the lowest inverse depths), estimated
on every 4th row and column: a full-image percentile costs about 4 ms per 640x480 frame."""


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


@dataclass
class FusionResult:
    """The fused depth of one frame and how it was made."""

    depth: np.ndarray
    """float32 (H, W) metres; NaN where invalid."""
    scale: float
    """Global scale: depth = scale * prediction (metric) or 1 / depth = scale * prediction + shift (relative)."""
    shift: float
    """Global shift in inverse depth (1/m); 0 for metric predictions."""
    inliers: int
    """LiDAR points consistent with the global fit."""
    points_used: int
    """Valid LiDAR points: finite, > 0 and on a valid prediction pixel."""
    residual: float
    """Median of |depth - lidar| / lidar over the valid LiDAR points where depth is finite; NaN without any."""
    status: str
    """'fused', or why the output is passed through, held from an earlier fit or NaN."""


class ScaleFusion:
    """Turns depth predictions into metric depth that agrees with sparse LiDAR, one frame per fuse() call.

    Calls form a sequence (temporal smoothing, held fits); call reset() when a new sequence starts.

    With fewer than ``min_points`` valid LiDAR points, metric predictions pass through unscaled (status
    'passthrough: ...'). Relative predictions cannot become metres without a fit: they reuse the last fit while
    it is at most ``hold_frames`` frames old (status 'held: ...') and are NaN otherwise (status 'no depth: ...').
    """

    def __init__(self, config: FusionConfig | None = None) -> None:
        self.config = config or FusionConfig()
        self._scale_filter = AdaptiveLogFilter(self.config.temporal_time_constant_frames,
                                               self.config.temporal_noise_log)
        self.reset()

    def reset(self) -> None:
        """Forget the temporal state and held fits, and restart the RANSAC sampling sequence."""
        self._scale_filter.reset()
        self._rng = np.random.default_rng(self.config.random_seed)
        self._frame = 0
        self._scale_frame = -1
        self._relative_fit: tuple[float, float, int] | None = None

    def fuse(self, prediction_values: np.ndarray, kind: DepthKind, sparse_depth: np.ndarray) -> FusionResult:
        """Fuse one frame.

        ``prediction_values`` float (H, W): metres for METRIC, relative inverse depth for RELATIVE_INVERSE;
        non-finite (and for METRIC non-positive) values are invalid. ``sparse_depth`` float (H, W) metres along
        the optical axis; NaN, inf or <= 0 where there is no LiDAR return.
        """
        prediction = np.asarray(prediction_values, dtype=np.float32)
        sparse = np.asarray(sparse_depth, dtype=np.float32)
        if prediction.ndim != 2 or sparse.shape != prediction.shape:
            raise ValueError(f"expected prediction and sparse depth of one shape (H, W), got {prediction.shape} "
                             f"and {sparse.shape}")
        kind = DepthKind(kind)
        self._frame += 1
        with np.errstate(invalid="ignore"):
            valid_prediction = np.isfinite(prediction)
            if kind is DepthKind.METRIC:
                valid_prediction &= prediction > 0.0
            rows, columns = np.nonzero(np.isfinite(sparse) & (sparse > 0.0) & valid_prediction)
        lidar = sparse[rows, columns].astype(np.float64)
        predicted = prediction[rows, columns].astype(np.float64)
        if kind is DepthKind.METRIC:
            return self._fuse_metric(prediction, valid_prediction, rows, columns, lidar, predicted)
        return self._fuse_relative(prediction, rows, columns, lidar, predicted)

    def _fuse_metric(self, prediction, valid_prediction, rows, columns, lidar, predicted) -> FusionResult:
        config = self.config
        if lidar.size < config.min_points:
            depth = np.where(valid_prediction, prediction, np.float32(np.nan)).astype(np.float32)
            return FusionResult(depth, 1.0, 0.0, 0, int(lidar.size), residual(depth, rows, columns, lidar),
                                f"passthrough: {_too_few(lidar.size, config.min_points)}")
        log_ratio = np.log(lidar) - np.log(predicted)
        log_scale, inliers = robust_log_scale(log_ratio, config.inlier_log_threshold)
        if self._frame - self._scale_frame - 1 > config.hold_frames:
            self._scale_filter.reset()
        scale = math.exp(self._scale_filter.update(log_scale))
        self._scale_frame = self._frame
        global_depth = np.where(valid_prediction, prediction * np.float32(scale), np.float32(np.nan))
        depth = local_correction(global_depth.astype(np.float32), rows, columns, lidar, config, self._rng)
        return FusionResult(depth, scale, 0.0, int(inliers.sum()), int(lidar.size),
                            residual(depth, rows, columns, lidar), STATUS_FUSED)

    def _fuse_relative(self, prediction, rows, columns, lidar, predicted) -> FusionResult:
        config = self.config
        fit = None
        if lidar.size >= config.min_points:
            fit = ransac_inverse_affine(predicted, 1.0 / lidar, config, self._rng,
                                        float(np.nanpercentile(prediction[::4, ::4], FARTHEST_PERCENTILE)))
        if fit is not None:
            scale, shift, inliers = fit
            self._relative_fit = (scale, shift, self._frame)
            depth = local_correction(inverse_affine_depth(prediction, scale, shift), rows, columns, lidar, config,
                                     self._rng)
            return FusionResult(depth, scale, shift, int(inliers.sum()), int(lidar.size),
                                residual(depth, rows, columns, lidar), STATUS_FUSED)
        reason = (_too_few(lidar.size, config.min_points) if lidar.size < config.min_points
                  else f"no consistent scale and shift among {lidar.size} LiDAR points")
        if self._relative_fit is not None and self._frame - self._relative_fit[2] <= config.hold_frames:
            scale, shift, fit_frame = self._relative_fit
            depth = inverse_affine_depth(prediction, scale, shift)
            return FusionResult(depth, scale, shift, 0, int(lidar.size), residual(depth, rows, columns, lidar),
                                f"held: {reason}; using the fit from {_frames(self._frame - fit_frame)} ago")
        depth = np.full(prediction.shape, np.nan, dtype=np.float32)
        return FusionResult(depth, math.nan, math.nan, 0, int(lidar.size), math.nan,
                            f"no depth: {reason} and no fit in the last {config.hold_frames} frames")


def _frames(count: int) -> str:
    return f"{count} frame" if count == 1 else f"{count} frames"


def _too_few(count: int, needed: int) -> str:
    return f"only {count} valid LiDAR points (need {needed})"
