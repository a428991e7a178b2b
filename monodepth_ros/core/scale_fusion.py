"""Metric depth from a monocular prediction and sparse LiDAR depth (ROS-free).

ScaleFusion.fuse runs three stages on each frame:

1. Global robust fit against the LiDAR points. Metric predictions get one scale (depth = scale * prediction),
   from the log depth ratios: median, then the mean of the inliers (|log ratio - estimate| below
   ``inlier_log_threshold``), repeated. Relative inverse predictions get scale s and shift t in inverse depth
   (1 / depth = s * prediction + t) by RANSAC on point pairs and a least-squares refit of the relative inverse
   depth error on the inliers; depth = 1 / (s * prediction + t), NaN where that is not positive.
2. Temporal smoothing of the metric scale across calls (see ``FusionConfig.temporal_time_constant_frames``).
   Relative models normalise every output on their own, so their s and t are fitted afresh each frame.
3. Local correction: the log ratio lidar / globally corrected depth at the LiDAR points is spread over the
   image by normalized convolution with a Gaussian in image space and in log depth (a bilateral grid, so a
   point only corrects pixels of similar predicted depth), shrunk towards zero (the global correction) where
   few points support it, and snapped to the depth edges of the prediction by a guided filter (He et al.)
   whose guide is the log of the globally corrected depth. Points whose log ratio exceeds
   ``local_max_residual_log``, or differs from what their neighbours give by more than ``local_outlier_log``,
   take no part.

Units: depth in metres along the optical axis, images float32 (H, W), NaN for invalid pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from monodepth_ros.core.types import DepthKind

STATUS_FUSED = "fused"


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
    """At most this many points (evenly strided) score each RANSAC hypothesis."""
    random_seed: int = 0
    """Seed of the RANSAC sampling; reset() restarts the sequence."""
    local_strength: float = 1.0
    """Fraction of the local correction applied, 0 (global only) to 1."""
    local_sigma_px: float = 24.0
    """Spatial Gaussian sigma of the normalized convolution, pixels."""
    local_range_sigma_log: float = 0.1
    """Spacing of the log-depth layers: points correct pixels whose predicted depth is within a few of these."""
    local_max_layers: int = 32
    """Upper bound on log-depth layers; the spacing grows when the depth range needs more."""
    local_prior_points: float = 1.0
    """Shrinkage towards the global correction: with w Gaussian-weighted points of support the local correction
    is weighted mean * w / (w + local_prior_points)."""
    local_max_residual_log: float = 0.7
    """Points whose log ratio to the globally corrected depth exceeds this take no part in the local stage."""
    local_outlier_log: float = 0.15
    """Points that differ by more than this (log) from the correction their neighbours give are dropped."""
    local_grid_px: int = 8
    """Cell size of the bilateral grid in which points are spread, pixels."""
    guided_subsample: int = 2
    """The correction is sliced from the grid and guided-filtered at 1 / this of the image resolution; the
    filter's coefficients are applied to the full-resolution guide (He et al.'s fast guided filter)."""
    guided_radius_px: int = 8
    """Window radius of the guided filter, pixels (rounded to whole subsampled pixels, at least one)."""
    guided_eps: float = 1e-3
    """Guided filter regularisation in (log depth)^2: depth steps well above sqrt(eps) stay sharp."""
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
            "local_sigma_px > 0": self.local_sigma_px > 0.0,
            "local_range_sigma_log > 0": self.local_range_sigma_log > 0.0,
            "2 <= local_max_layers <= 200": 2 <= self.local_max_layers <= 200,
            "local_prior_points > 0": self.local_prior_points > 0.0,
            "local_max_residual_log > 0": self.local_max_residual_log > 0.0,
            "local_outlier_log > 0": self.local_outlier_log > 0.0,
            "local_grid_px >= 1": self.local_grid_px >= 1,
            "guided_subsample >= 1": self.guided_subsample >= 1,
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
        self._scale_filter = _AdaptiveLogFilter(self.config.temporal_time_constant_frames,
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
            return FusionResult(depth, 1.0, 0.0, 0, int(lidar.size), _residual(depth, rows, columns, lidar),
                                f"passthrough: {_too_few(lidar.size, config.min_points)}")
        log_ratio = np.log(lidar) - np.log(predicted)
        log_scale, inliers = _robust_log_scale(log_ratio, config.inlier_log_threshold)
        if self._frame - self._scale_frame - 1 > config.hold_frames:
            self._scale_filter.reset()
        scale = math.exp(self._scale_filter.update(log_scale))
        self._scale_frame = self._frame
        global_depth = np.where(valid_prediction, prediction * np.float32(scale), np.float32(np.nan))
        depth = self._local_correction(global_depth.astype(np.float32), rows, columns, lidar)
        return FusionResult(depth, scale, 0.0, int(inliers.sum()), int(lidar.size),
                            _residual(depth, rows, columns, lidar), STATUS_FUSED)

    def _fuse_relative(self, prediction, rows, columns, lidar, predicted) -> FusionResult:
        config = self.config
        fit = None
        if lidar.size >= config.min_points:
            fit = _ransac_inverse_affine(predicted, 1.0 / lidar, config, self._rng)
        if fit is not None:
            scale, shift, inliers = fit
            self._relative_fit = (scale, shift, self._frame)
            depth = self._local_correction(_inverse_affine_depth(prediction, scale, shift), rows, columns, lidar)
            return FusionResult(depth, scale, shift, int(inliers.sum()), int(lidar.size),
                                _residual(depth, rows, columns, lidar), STATUS_FUSED)
        reason = (_too_few(lidar.size, config.min_points) if lidar.size < config.min_points
                  else f"no consistent scale and shift among {lidar.size} LiDAR points")
        if self._relative_fit is not None and self._frame - self._relative_fit[2] <= config.hold_frames:
            scale, shift, fit_frame = self._relative_fit
            depth = _inverse_affine_depth(prediction, scale, shift)
            return FusionResult(depth, scale, shift, 0, int(lidar.size), _residual(depth, rows, columns, lidar),
                                f"held: {reason}; using the fit from {_frames(self._frame - fit_frame)} ago")
        depth = np.full(prediction.shape, np.nan, dtype=np.float32)
        return FusionResult(depth, math.nan, math.nan, 0, int(lidar.size), math.nan,
                            f"no depth: {reason} and no fit in the last {config.hold_frames} frames")

    def _local_correction(self, global_depth: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                          lidar: np.ndarray) -> np.ndarray:
        """global_depth float32 (H, W) metres with the local log correction applied; NaN stays NaN."""
        config = self.config
        if config.local_strength == 0.0:
            return global_depth
        with np.errstate(invalid="ignore", divide="ignore"):
            log_depth = np.log(global_depth)
        point_log_depth = log_depth[rows, columns].astype(np.float64)
        residual = np.log(lidar) - point_log_depth
        usable = np.isfinite(residual) & (np.abs(residual) < config.local_max_residual_log)
        if not usable.any():
            return global_depth
        grid = _BilateralGrid(log_depth, config, fill_log_depth=float(np.median(point_log_depth[usable])))
        keep = usable.copy()
        point_args = (rows[usable], columns[usable], point_log_depth[usable])
        neighbour_correction = grid.correction_at(*point_args, residual[usable])
        keep[usable] = np.abs(residual[usable] - neighbour_correction) < config.local_outlier_log
        if not keep.any():
            return global_depth
        correction = grid.correction_image(rows[keep], columns[keep], point_log_depth[keep], residual[keep])
        corrected = global_depth * np.exp(np.float32(config.local_strength) * correction)
        return corrected.astype(np.float32, copy=False)


class _BilateralGrid:
    """Normalized convolution of point values over (image row, image column, log depth).

    Points are splatted into and blurred on a coarse grid of ``local_grid_px`` cells; the result is sliced, and
    guided-filtered, at the finer ``guided_subsample`` resolution, whose filter coefficients are then applied
    to the full-resolution guide.
    """

    def __init__(self, log_depth: np.ndarray, config: FusionConfig, fill_log_depth: float) -> None:
        self.config = config
        self.height, self.width = log_depth.shape
        self.grid_height = max(1, math.ceil(self.height / config.local_grid_px))
        self.grid_width = max(1, math.ceil(self.width / config.local_grid_px))
        self.fine_size = (max(1, math.ceil(self.width / config.guided_subsample)),
                          max(1, math.ceil(self.height / config.guided_subsample)))
        self.log_depth = np.where(np.isfinite(log_depth), log_depth, np.float32(fill_log_depth)).astype(np.float32)
        self.fine_log_depth = cv2.resize(self.log_depth, self.fine_size, interpolation=cv2.INTER_NEAREST)
        low, high = float(self.fine_log_depth.min()), float(self.fine_log_depth.max())
        self.layer_origin = low
        self.layer_spacing = max(config.local_range_sigma_log, (high - low) / (config.local_max_layers - 1))
        self.layers = int(math.floor((high - low) / self.layer_spacing)) + 2
        self.sigma_cells = config.local_sigma_px / config.local_grid_px

    def correction_at(self, rows, columns, point_log_depth, residual) -> np.ndarray:
        """Shrunk weighted mean of ``residual`` (log) at each point's own grid cell and depth, float64 (M,)."""
        blurred = self._blurred(rows, columns, point_log_depth, residual)
        numerator, weight = blurred[..., :self.layers], blurred[..., self.layers:]
        cell_rows, cell_columns = self._cells(rows, columns)
        lower, fraction = self._layer_coordinates(point_log_depth)
        num = (1.0 - fraction) * numerator[cell_rows, cell_columns, lower] \
            + fraction * numerator[cell_rows, cell_columns, lower + 1]
        den = (1.0 - fraction) * weight[cell_rows, cell_columns, lower] \
            + fraction * weight[cell_rows, cell_columns, lower + 1]
        return num / (den + self.config.local_prior_points)

    def correction_image(self, rows, columns, point_log_depth, residual) -> np.ndarray:
        """Edge-aware log correction float32 (H, W) from point residuals (log)."""
        blurred = self._blurred(rows, columns, point_log_depth, residual)
        fine = cv2.resize(blurred, self.fine_size, interpolation=cv2.INTER_LINEAR).ravel()
        lower, fraction = self._layer_coordinates(self.fine_log_depth)
        fraction = fraction.astype(np.float32)
        below = np.arange(lower.size).reshape(lower.shape) * (2 * self.layers) + lower

        def sliced(first_channel: int) -> np.ndarray:
            return ((1.0 - fraction) * fine.take(below + first_channel)
                    + fraction * fine.take(below + first_channel + 1))

        fine_correction = sliced(0) / (sliced(self.layers) + np.float32(self.config.local_prior_points))
        radius = max(1, round(self.config.guided_radius_px / self.config.guided_subsample))
        slope, offset = _guided_filter_coefficients(self.fine_log_depth, fine_correction, radius,
                                                    self.config.guided_eps)
        size = (self.width, self.height)
        slope = cv2.resize(slope, size, interpolation=cv2.INTER_LINEAR)
        offset = cv2.resize(offset, size, interpolation=cv2.INTER_LINEAR)
        bound = np.float32(self.config.local_max_residual_log)
        return np.clip(slope * self.log_depth + offset, -bound, bound)

    def _blurred(self, rows, columns, point_log_depth, residual) -> np.ndarray:
        """Points splatted into the grid and blurred in space: float32 (grid_height, grid_width, 2 * layers),
        the weighted residual sums in the first ``layers`` channels, the weights in the others.

        Weights are sums of unnormalised Gaussians, i.e. the number of points near a cell.
        """
        cell_rows, cell_columns = self._cells(rows, columns)
        lower, fraction = self._layer_coordinates(point_log_depth)
        cells = (cell_rows * self.grid_width + cell_columns) * self.layers
        index = np.concatenate([cells + lower, cells + lower + 1])
        weights = np.concatenate([1.0 - fraction, fraction])
        size = self.grid_height * self.grid_width * self.layers
        shape = (self.grid_height, self.grid_width, self.layers)
        numerator = np.bincount(index, weights * np.concatenate([residual, residual]), size).reshape(shape)
        weight = np.bincount(index, weights, size).reshape(shape)
        stacked = np.concatenate([numerator, weight], axis=2).astype(np.float32)
        blurred = cv2.GaussianBlur(stacked, (0, 0), self.sigma_cells, borderType=cv2.BORDER_CONSTANT)
        blurred *= np.float32(2.0 * math.pi * self.sigma_cells ** 2)
        return blurred

    def _cells(self, rows: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cell_rows = np.minimum(rows * self.grid_height // self.height, self.grid_height - 1)
        cell_columns = np.minimum(columns * self.grid_width // self.width, self.grid_width - 1)
        return cell_rows, cell_columns

    def _layer_coordinates(self, log_depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower layer index (int64) and the fraction towards the next layer for log depths."""
        position = np.clip((log_depth - self.layer_origin) / self.layer_spacing, 0.0, self.layers - 1.0001)
        lower = np.floor(position).astype(np.int64)
        return lower, position - lower


def _guided_filter_coefficients(guide: np.ndarray, source: np.ndarray, radius: int,
                                eps: float) -> tuple[np.ndarray, np.ndarray]:
    """He et al.'s guided filter: window-averaged a, b (float32, shape of guide) so output = a * guide + b."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(image):
        return cv2.boxFilter(image, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_guide, mean_source = mean(guide), mean(source)
    covariance = mean(guide * source) - mean_guide * mean_source
    variance = mean(guide * guide) - mean_guide * mean_guide
    slope = covariance / (variance + np.float32(eps))
    offset = mean_source - slope * mean_guide
    return mean(slope), mean(offset)


class _AdaptiveLogFilter:
    """Exponential filter of a log scale that clips unconfirmed large innovations and jumps to confirmed ones.

    An innovation beyond the change threshold is clipped to it, so one outlier frame moves the estimate by at
    most base gain x threshold; when the next innovation is beyond the threshold with the same sign, the change
    is taken as real and the estimate jumps to the measurement.
    """

    def __init__(self, time_constant_frames: float, noise_log: float) -> None:
        self._base_gain = 1.0 if time_constant_frames == 0.0 else 1.0 - math.exp(-1.0 / time_constant_frames)
        self._change_threshold = 3.0 * noise_log
        self.reset()

    def reset(self) -> None:
        self._value: float | None = None
        self._last_change_sign = 0.0

    def update(self, measurement: float) -> float:
        """Feed one log-scale measurement; returns the filtered log scale."""
        if self._value is None or self._base_gain == 1.0:
            self._value = measurement
            return measurement
        innovation = measurement - self._value
        change_sign = math.copysign(1.0, innovation) if abs(innovation) > self._change_threshold else 0.0
        if change_sign != 0.0 and change_sign == self._last_change_sign:
            self._value = measurement
        else:
            limit = self._change_threshold
            self._value += self._base_gain * min(max(innovation, -limit), limit)
        self._last_change_sign = change_sign
        return self._value


def _robust_log_scale(log_ratio: np.ndarray, threshold: float, iterations: int = 3) -> tuple[float, np.ndarray]:
    """Mean log ratio of the inliers around the median, refined; returns (log scale, inlier mask)."""
    estimate = float(np.median(log_ratio))
    for _ in range(iterations):
        inliers = np.abs(log_ratio - estimate) < threshold
        if not inliers.any():
            break
        estimate = float(log_ratio[inliers].mean())
    return estimate, np.abs(log_ratio - estimate) < threshold


def _ransac_inverse_affine(predicted: np.ndarray, inverse_lidar: np.ndarray, config: FusionConfig,
                           rng: np.random.Generator) -> tuple[float, float, np.ndarray] | None:
    """Robust s > 0, t with inverse_lidar ~ s * predicted + t; (s, t, inlier mask) or None when none fits.

    A point is an inlier when |s * predicted + t - inverse_lidar| / inverse_lidar < inlier_log_threshold.
    """
    threshold = config.inlier_log_threshold
    first, second = rng.integers(0, predicted.size, size=(2, config.ransac_hypotheses))
    difference = predicted[first] - predicted[second]
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = (inverse_lidar[first] - inverse_lidar[second]) / difference
    shifts = inverse_lidar[first] - scales * predicted[first]
    plausible = (np.abs(difference) > 1e-6 * np.ptp(predicted)) & np.isfinite(scales) & (scales > 0.0)
    if not plausible.any():
        return None
    scales, shifts = scales[plausible], shifts[plausible]
    stride = max(1, predicted.size // config.ransac_scored_points)
    scored_p, scored_q = predicted[::stride], inverse_lidar[::stride]
    errors = np.abs(scales[:, None] * scored_p[None, :] + (shifts[:, None] - scored_q[None, :]))
    best = int(np.argmax((errors < threshold * scored_q[None, :]).sum(axis=1)))
    scale, shift = float(scales[best]), float(shifts[best])
    for _ in range(3):
        inliers = _relative_inverse_inliers(predicted, inverse_lidar, scale, shift, threshold)
        refit = _weighted_inverse_affine(predicted[inliers], inverse_lidar[inliers])
        if refit is None:
            break
        scale, shift = refit
    return scale, shift, _relative_inverse_inliers(predicted, inverse_lidar, scale, shift, threshold)


def _relative_inverse_inliers(predicted, inverse_lidar, scale, shift, threshold) -> np.ndarray:
    return np.abs(scale * predicted + shift - inverse_lidar) < threshold * inverse_lidar


def _weighted_inverse_affine(predicted: np.ndarray, inverse_lidar: np.ndarray) -> tuple[float, float] | None:
    """Least-squares s > 0, t minimising sum(((s * predicted + t) / inverse_lidar - 1)^2); None if degenerate."""
    a, b = predicted / inverse_lidar, 1.0 / inverse_lidar
    aa, ab, bb = float(a @ a), float(a @ b), float(b @ b)
    determinant = aa * bb - ab * ab
    if not determinant > 1e-12 * aa * bb:
        return None
    sum_a, sum_b = float(a.sum()), float(b.sum())
    scale = (bb * sum_a - ab * sum_b) / determinant
    shift = (aa * sum_b - ab * sum_a) / determinant
    if not (math.isfinite(scale) and math.isfinite(shift) and scale > 0.0):
        return None
    return scale, shift


def _inverse_affine_depth(prediction: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """1 / (scale * prediction + shift) as float32 metres; NaN where not finite or not positive."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        depth = np.float32(1.0) / (prediction * np.float32(scale) + np.float32(shift))
        depth[~((depth > 0.0) & (depth < np.inf))] = np.nan
    return depth


def _residual(depth: np.ndarray, rows: np.ndarray, columns: np.ndarray, lidar: np.ndarray) -> float:
    """Median |depth - lidar| / lidar at the LiDAR pixels where depth is finite; NaN where there are none."""
    fused = depth[rows, columns].astype(np.float64)
    finite = np.isfinite(fused)
    if not finite.any():
        return math.nan
    return float(np.median(np.abs(fused[finite] - lidar[finite]) / lidar[finite]))


def _frames(count: int) -> str:
    return f"{count} frame" if count == 1 else f"{count} frames"


def _too_few(count: int, needed: int) -> str:
    return f"only {count} valid LiDAR points (need {needed})"
