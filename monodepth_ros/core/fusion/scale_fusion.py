"""Metric depth from a monocular prediction and sparse LiDAR depth (ROS-free).

ScaleFusion.fuse runs three stages on each frame:

1. Global robust fit against the LiDAR points. Metric predictions get one scale (depth = scale * prediction),
   from the log depth ratios: median, then the mean of the inliers (|log ratio - estimate| below
   ``GlobalFitConfig.inlier_log_threshold``), repeated. Relative inverse predictions get scale s and shift t in
   inverse depth (1 / depth = s * prediction + t) by RANSAC on point pairs and a least-squares refit of the
   relative inverse depth error on the inliers; depth = 1 / (s * prediction + t), NaN where that is not positive.
2. The scale smoother (scale_smoother.py, ScaleSmootherConfig) filters the metric scale across calls: one number
   per frame, not the depth image. Relative models normalise every output on their own, so their s and t are
   fitted afresh each frame.
3. Local correction of the log ratio lidar / globally corrected depth at the LiDAR points (the residual), however
   large, so that obstacles the prediction misses but LiDAR hits are recovered. It works at a reduced resolution
   (``LocalCorrectionConfig.working_px``):

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
      of the ground and the correction of c., as an object standing there hides the ground down to its foot
      (GroundPlaneConfig).
   e. A guided filter (He et al.) whose guide is the log of the globally corrected depth snaps the correction
      to the depth edges of the prediction where it has structure (GuidedFilterConfig).

Units: depth in metres along the optical axis, images float32 (H, W), NaN for invalid pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.fusion.config import FusionConfig
from monodepth_ros.core.fusion.global_fit import inverse_affine_depth, ransac_inverse_affine, residual, robust_log_scale
from monodepth_ros.core.fusion.local_correction import local_correction
from monodepth_ros.core.fusion.scale_smoother import AdaptiveLogFilter

FARTHEST_PERCENTILE = 1.0
"""Percentile of a relative prediction taken as its farthest pixels (the lowest inverse depths), estimated
on every 4th row and column: a full-image percentile costs about 4 ms per 640x480 frame."""


class FusionStatus(Enum):
    """How the depth of one frame was made; the value is what /diagnostics shows."""

    FUSED = "fused"
    """Fitted to this frame's LiDAR points."""
    GROUND_PLANE = "ground_plane"
    """Scaled so that the ground plane lies at the known camera height (ground_plane_scale.py), no LiDAR."""
    PASSTHROUGH = "passthrough"
    """Metric prediction without a fit (too few LiDAR points): published unscaled."""
    HELD = "held"
    """Relative prediction without a LiDAR fit: the last fit, at most FusionConfig.hold_frames frames old, is reused;
    or no ground in view: the last ground scale, at most GroundScaleConfig.hold_s old, is reused."""
    NO_DEPTH = "no_depth"
    """Relative prediction without a fit for longer: all NaN."""


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
    status: FusionStatus
    """How the depth was made."""
    reason: str = ""
    """Why the frame was not fused (a sentence for people); empty when fused."""
    confidence: float = math.nan
    """Ground-plane scale only: the fraction of the candidate ground pixels that lie on the fitted ground."""


class ScaleFusion:
    """Turns depth predictions into metric depth that agrees with sparse LiDAR, one frame per fuse() call.

    Calls form a sequence (temporal smoothing, held fits); call reset() when a new sequence starts.

    With fewer than ``GlobalFitConfig.min_points`` valid LiDAR points, metric predictions pass through unscaled
    (FusionStatus.PASSTHROUGH). Relative predictions cannot become metres without a fit: they reuse the last fit
    while it is at most ``FusionConfig.hold_frames`` frames old (HELD) and are NaN otherwise (NO_DEPTH); the
    result's ``reason`` says why.
    """

    def __init__(self, config: FusionConfig | None = None) -> None:
        self.config = config or FusionConfig()
        self._scale_filter = AdaptiveLogFilter(self.config.scale_smoother)
        self.reset()

    def reset(self) -> None:
        """Forget the smoothed scale and held fits, and restart the RANSAC sampling sequence."""
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
        min_points = config.global_fit.min_points
        if lidar.size < min_points:
            depth = np.where(valid_prediction, prediction, np.float32(np.nan)).astype(np.float32)
            return FusionResult(depth, 1.0, 0.0, 0, int(lidar.size), residual(depth, rows, columns, lidar),
                                FusionStatus.PASSTHROUGH, _too_few(lidar.size, min_points))
        log_ratio = np.log(lidar) - np.log(predicted)
        log_scale, inliers = robust_log_scale(log_ratio, config.global_fit.inlier_log_threshold)
        if self._frame - self._scale_frame - 1 > config.hold_frames:
            self._scale_filter.reset()
        scale = math.exp(self._scale_filter.update(log_scale))
        self._scale_frame = self._frame
        global_depth = np.where(valid_prediction, prediction * np.float32(scale), np.float32(np.nan))
        depth = local_correction(global_depth.astype(np.float32), rows, columns, lidar, config.local_correction,
                                 self._rng)
        return FusionResult(depth, scale, 0.0, int(inliers.sum()), int(lidar.size),
                            residual(depth, rows, columns, lidar), FusionStatus.FUSED)

    def _fuse_relative(self, prediction, rows, columns, lidar, predicted) -> FusionResult:
        config = self.config
        min_points = config.global_fit.min_points
        fit = None
        if lidar.size >= min_points:
            fit = ransac_inverse_affine(predicted, 1.0 / lidar, config.global_fit, self._rng,
                                        float(np.nanpercentile(prediction[::4, ::4], FARTHEST_PERCENTILE)))
        if fit is not None:
            scale, shift, inliers = fit
            self._relative_fit = (scale, shift, self._frame)
            depth = local_correction(inverse_affine_depth(prediction, scale, shift), rows, columns, lidar,
                                     config.local_correction, self._rng)
            return FusionResult(depth, scale, shift, int(inliers.sum()), int(lidar.size),
                                residual(depth, rows, columns, lidar), FusionStatus.FUSED)
        reason = (_too_few(lidar.size, min_points) if lidar.size < min_points
                  else f"no consistent scale and shift among {lidar.size} LiDAR points")
        if self._relative_fit is not None and self._frame - self._relative_fit[2] <= config.hold_frames:
            scale, shift, fit_frame = self._relative_fit
            depth = inverse_affine_depth(prediction, scale, shift)
            return FusionResult(depth, scale, shift, 0, int(lidar.size), residual(depth, rows, columns, lidar),
                                FusionStatus.HELD,
                                f"{reason}; using the fit from {_frames(self._frame - fit_frame)} ago")
        depth = np.full(prediction.shape, np.nan, dtype=np.float32)
        return FusionResult(depth, math.nan, math.nan, 0, int(lidar.size), math.nan,
                            FusionStatus.NO_DEPTH, f"{reason} and no fit in the last {config.hold_frames} frames")


def _frames(count: int) -> str:
    return f"{count} frame" if count == 1 else f"{count} frames"


def _too_few(count: int, needed: int) -> str:
    return f"only {count} valid LiDAR points (need {needed})"
