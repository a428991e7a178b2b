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
        usable = np.isfinite(residual)
        if not usable.any():
            return global_depth
        image = _WorkingImage(log_depth, float(np.median(point_log_depth[usable])), config)
        points = _Points(image, rows[usable], columns[usable], lidar[usable], point_log_depth[usable],
                         residual[usable])
        sigma_px = _fine_sigma_px(image, points, config)
        max_gap = sigma_px / image.subsample
        ground = _fit_ground_plane(image, points, _lowest_rows(image, points, max_gap)[0], sigma_px, config,
                                   self._rng)
        keep = _agreeing(image, points, sigma_px, config)
        if ground is not None:
            keep |= ground[1]
        if not keep.any():
            return global_depth
        points = points.subset(keep)
        prior = np.float32(config.local_prior_points)
        fallback = _coarse_correction(image, points, config.local_coarse_factor * sigma_px, prior)
        numerator, weight = _normalized_convolution(image, points, sigma_px, layered=True)
        correction = (numerator + prior * fallback) / (weight + prior)
        if ground is not None:
            plane, on_plane = ground
            _extrapolate_ground(image, correction, *_lowest_rows(image, points, max_gap, on_plane[keep]), plane)
        full_correction = _snapped_to_edges(image, correction, config)
        corrected = global_depth * np.exp(np.float32(config.local_strength) * full_correction)
        return corrected.astype(np.float32, copy=False)


class _WorkingImage:
    """The globally corrected log depth at full resolution and at the local stage's working resolution, 1 /
    ``subsample`` of it (see ``local_working_px``), float32, invalid pixels holding ``fill``; and its log-depth
    layers: ``layers`` layers ``layer_spacing`` apart from ``layer_origin`` (at least ``local_range_sigma_log``
    apart, at most ``local_max_layers`` of them), with each working pixel's lower layer and its fraction towards
    the next."""

    def __init__(self, log_depth: np.ndarray, fill: float, config: FusionConfig) -> None:
        self.full_height, self.full_width = log_depth.shape
        self.subsample = math.ceil(max(self.full_height, self.full_width) / config.local_working_px)
        self.full_log_depth = np.where(np.isfinite(log_depth), log_depth, np.float32(fill)).astype(np.float32)
        self.height = max(1, math.ceil(self.full_height / self.subsample))
        self.width = max(1, math.ceil(self.full_width / self.subsample))
        self.log_depth = cv2.resize(self.full_log_depth, (self.width, self.height), interpolation=cv2.INTER_NEAREST)
        low, high = float(self.log_depth.min()), float(self.log_depth.max())
        self.layer_origin = low
        self.layer_spacing = max(config.local_range_sigma_log, (high - low) / (config.local_max_layers - 1))
        self.layers = int(math.floor((high - low) / self.layer_spacing)) + 2
        self.lower_layer, self.layer_fraction = self.layer_coordinates(self.log_depth)

    def layer_coordinates(self, log_depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower layer (int64) and the fraction (float32) towards the next one of log depths."""
        position = np.clip((log_depth - self.layer_origin) / self.layer_spacing, 0.0, self.layers - 1.0001)
        lower = np.floor(position).astype(np.int64)
        return lower, (position - lower).astype(np.float32)

    def normalised(self, rows, columns) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution pixel coordinates as x = (column - W / 2) / H and y = (row - H / 2) / H."""
        height = float(self.full_height)
        return (np.asarray(columns) - 0.5 * self.full_width) / height, (np.asarray(rows) - 0.5 * height) / height


class _Points:
    """LiDAR points of the local stage, arrays of shape (M,): full-resolution and working-resolution pixel, LiDAR
    depth (m), globally corrected log depth there and residual (log of LiDAR / globally corrected depth)."""

    def __init__(self, image: _WorkingImage, rows, columns, lidar, log_depth, residual) -> None:
        self.image = image
        self.rows, self.columns, self.lidar, self.log_depth, self.residual = rows, columns, lidar, log_depth, residual
        self.working_rows = np.minimum(rows // image.subsample, image.height - 1)
        self.working_columns = np.minimum(columns // image.subsample, image.width - 1)

    def subset(self, keep: np.ndarray) -> _Points:
        return _Points(self.image, self.rows[keep], self.columns[keep], self.lidar[keep], self.log_depth[keep],
                       self.residual[keep])


class _Grid:
    """Cells of ``cell`` x ``cell`` working pixels, two a ``sigma_px``, with ``layers`` layers along a range axis.

    Points are splatted into it and blurred in space by exp(-d^2 / (2 sigma_px^2)), d in full-resolution pixels:
    the blurred weights count the points near a cell, a point counting 1 in its own cell.
    """

    def __init__(self, image: _WorkingImage, sigma_px: float, layers: int) -> None:
        self.image, self.sigma_px, self.layers = image, sigma_px, layers
        self.cell = max(1, round(sigma_px / (2.0 * image.subsample)))
        self.rows = math.ceil(image.height / self.cell)
        self.columns = math.ceil(image.width / self.cell)

    def cells(self, points: _Points) -> tuple[np.ndarray, np.ndarray]:
        """Cell row and column of each point."""
        return points.working_rows // self.cell, points.working_columns // self.cell

    def blurred(self, cell_rows, cell_columns, layer, weights, values=None) -> np.ndarray:
        """float32 (rows, columns, layers) blurred sums of the weights or, with ``values``, float32 (rows, columns,
        2 * layers), blurred sums of weights x ``values`` in the first ``layers`` channels, of weights in the
        others."""
        channels = self.layers if values is None else 2 * self.layers
        index = (cell_rows * self.columns + cell_columns) * channels + layer
        if values is not None:
            index = np.concatenate([index, index + self.layers])
            weights = np.concatenate([weights * values, weights])
        sums = np.bincount(index, weights, self.rows * self.columns * channels).astype(np.float32)
        sigma_cells = self.sigma_px / (self.cell * self.image.subsample)
        offsets = np.arange(-math.ceil(3.0 * sigma_cells), math.ceil(3.0 * sigma_cells) + 1, dtype=np.float32)
        kernel = np.exp(-0.5 * (offsets / np.float32(sigma_cells)) ** 2)
        return cv2.sepFilter2D(sums.reshape(self.rows, self.columns, channels), cv2.CV_32F, kernel, kernel,
                               borderType=cv2.BORDER_CONSTANT)

    def upsampled(self, grid: np.ndarray) -> np.ndarray:
        """A (rows, columns[, channels]) grid bilinearly interpolated to ``cell`` times its size, so that cell
        centres land on the centres of their working pixels; at least the working resolution."""
        return cv2.resize(grid, (self.columns * self.cell, self.rows * self.cell), interpolation=cv2.INTER_LINEAR)


def _fine_sigma_px(image: _WorkingImage, points: _Points, config: FusionConfig) -> float:
    """Spatial sigma (full-resolution px) of the fine level from the LiDAR density: ``local_sigma_factor`` x the
    mean distance from the pixels between the top and the bottom point of each column to the nearest point."""
    mask = np.zeros((image.height, image.width), dtype=bool)
    mask[points.working_rows, points.working_columns] = True
    top = mask.argmax(axis=0)
    bottom = image.height - 1 - mask[::-1].argmax(axis=0)
    row = np.arange(image.height)[:, None]
    covered = mask.any(axis=0) & (row >= top) & (row <= bottom)
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    mean_distance_px = image.subsample * float(distance[covered].mean())
    return float(np.clip(config.local_sigma_factor * mean_distance_px, config.local_sigma_min_px,
                         config.local_sigma_max_px))


def _agreeing(image: _WorkingImage, points: _Points, sigma_px: float, config: FusionConfig) -> np.ndarray:
    """bool (M,): points whose residual agrees (within one to one and a half ``local_outlier_log``) with at least
    ``local_min_agreement`` of the other points around them, Gaussian-weighted with ``sigma_px``, and the global
    fit, which counts as ``local_prior_points`` points of residual zero. Isolated points thus take part when they
    are near the global fit, and a point far from it needs neighbours that confirm it."""
    residual = points.residual
    low, high = min(float(residual.min()), 0.0), max(float(residual.max()), 0.0)
    spacing = max(0.5 * config.local_outlier_log, (high - low) / (2 * config.local_max_layers - 1))
    layer = np.floor((residual - low) / spacing).astype(np.int64) + 2
    grid = _Grid(image, sigma_px, int(layer.max()) + 3)
    cell_rows, cell_columns = grid.cells(points)
    around = grid.blurred(cell_rows, cell_columns, layer, np.ones(residual.size))[cell_rows, cell_columns]
    point = np.arange(residual.size)
    near_global = np.abs(layer - (math.floor(-low / spacing) + 2)) <= 2
    agreeing = sum(around[point, layer + offset] for offset in range(-2, 3)) - 1.0
    agreeing += config.local_prior_points * near_global
    return agreeing >= config.local_min_agreement * (around.sum(axis=1) - 1.0 + config.local_prior_points)


def _coarse_correction(image: _WorkingImage, points: _Points, sigma_px: float, prior: np.float32) -> np.ndarray:
    """Log correction float32 (working H, W) at ``sigma_px``: the normalized convolution of the residuals in
    (row, column, log depth) shrunk by ``prior`` towards the one in space, itself shrunk towards zero."""
    numerator, weight = _normalized_convolution(image, points, sigma_px, layered=False)
    spatial = numerator / (weight + prior)
    numerator, weight = _normalized_convolution(image, points, sigma_px, layered=True)
    return (numerator + prior * spatial) / (weight + prior)


def _bilateral_sums(image: _WorkingImage, points: _Points, sigma_px: float) -> tuple[_Grid, np.ndarray]:
    """The residuals splatted into a grid over (row, column, log depth), the image's log-depth layers, and blurred
    in space: the grid and float32 (rows, columns, 2 * layers) sums of Gaussian-weighted residuals and weights."""
    grid = _Grid(image, sigma_px, image.layers)
    cell_rows, cell_columns = grid.cells(points)
    lower, fraction = image.layer_coordinates(points.log_depth)
    twice = np.concatenate
    return grid, grid.blurred(twice([cell_rows, cell_rows]), twice([cell_columns, cell_columns]),
                              twice([lower, lower + 1]), twice([1.0 - fraction, fraction]),
                              twice([points.residual, points.residual]))


def _normalized_convolution(image: _WorkingImage, points: _Points, sigma_px: float,
                            layered: bool) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian-weighted sums of the residuals and of the weights, float32 (working H, W) each: in space or, when
    ``layered``, in (row, column, log depth) over the image's log-depth layers (a bilateral grid)."""
    if not layered:
        grid = _Grid(image, sigma_px, 1)
        cell_rows, cell_columns = grid.cells(points)
        sums = grid.upsampled(grid.blurred(cell_rows, cell_columns, np.zeros(cell_rows.size, dtype=np.int64),
                                           np.ones(cell_rows.size), points.residual))
        return sums[:image.height, :image.width, 0], sums[:image.height, :image.width, 1]
    grid, sums = _bilateral_sums(image, points, sigma_px)
    sums = grid.upsampled(sums)
    pixel = np.arange(image.height)[:, None] * sums.shape[1] + np.arange(image.width)[None, :]
    below = pixel * (2 * image.layers) + image.lower_layer
    flat = sums.reshape(-1)
    fraction = image.layer_fraction

    def sliced(first_channel: int) -> np.ndarray:
        return ((1.0 - fraction) * flat.take(below + first_channel)
                + fraction * flat.take(below + (first_channel + 1)))

    return sliced(0), sliced(image.layers)


def _lowest_rows(image: _WorkingImage, points: _Points, max_gap: float,
                 on_plane: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per working column: the lowest working row with a point within ``max_gap`` columns, int64 (W,), -1 where
    there is none, and whether a point on that row lies on the ground (``on_plane``, bool (M,)), bool (W,)."""
    key = np.full((image.height, image.width), -1.0, dtype=np.float32)
    key[points.working_rows, points.working_columns] = 2.0 * points.working_rows
    if on_plane is not None:
        key[points.working_rows[on_plane], points.working_columns[on_plane]] += 1.0
    window = np.ones((1, 2 * int(max_gap) + 1), dtype=np.uint8)
    key = cv2.dilate(key.max(axis=0)[None, :], window, borderType=cv2.BORDER_CONSTANT, borderValue=-1.0)[0]
    found = key >= 0.0
    return np.where(found, key // 2.0, -1).astype(np.int64), found & (key % 2.0 == 1.0)


def _fit_ground_plane(image: _WorkingImage, points: _Points, lowest: np.ndarray, sigma_px: float,
                      config: FusionConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """The ground seen by the lowest LiDAR points: (plane, on_plane) or None.

    ``plane`` float64 (3,) holds a, b, c of the inverse depth a * x + b * y + c (1/m) at the normalised
    coordinates of _WorkingImage.normalised; ``on_plane`` bool (M,) marks the candidates within
    ``ground_inlier_log`` of it. The candidates are the points within 3 ``sigma_px`` of the lowest point of their
    column (``lowest`` from _lowest_rows); the plane is found by RANSAC on candidate triples and refined on its
    inliers. It is a ground when at least ``min_points`` candidates lie on it, its inverse depth grows downwards
    and it reaches zero (the horizon) less than one image height above the image.
    """
    candidates = np.flatnonzero(points.working_rows >= lowest[points.working_columns]
                                - 3.0 * sigma_px / image.subsample)
    if candidates.size < config.min_points:
        return None
    x, y = image.normalised(points.rows, points.columns)
    design = np.stack([x, y, np.ones_like(x)], axis=1)
    inverse = 1.0 / points.lidar

    def on(plane: np.ndarray, selection) -> np.ndarray:
        return np.abs(design[selection] @ plane - inverse[selection]) < config.ground_inlier_log * inverse[selection]

    triples = candidates[rng.integers(0, candidates.size, size=(config.ground_hypotheses, 3))]
    systems = design[triples]
    solvable = np.abs(np.linalg.det(systems)) > 1e-9
    if not solvable.any():
        return None
    hypotheses = np.linalg.solve(systems[solvable], inverse[triples[solvable]][..., None])[..., 0]
    scored = candidates[::max(1, candidates.size // config.ransac_scored_points)]
    votes = (np.abs(design[scored] @ hypotheses.T - inverse[scored, None])
             < config.ground_inlier_log * inverse[scored, None]).sum(axis=0)
    plane = hypotheses[int(np.argmax(votes))]
    for _ in range(3):
        inliers = candidates[on(plane, candidates)]
        if inliers.size < 3:
            return None
        plane = np.linalg.lstsq(design[inliers] / inverse[inliers, None], np.ones(inliers.size), rcond=None)[0]
    on_plane = np.zeros(inverse.size, dtype=bool)
    on_plane[candidates] = on(plane, candidates)
    _, downwards, at_centre = plane
    if on_plane.sum() < config.min_points or not downwards > 0.0 or -at_centre / downwards < -1.5:
        return None
    return plane, on_plane


def _extrapolate_ground(image: _WorkingImage, correction: np.ndarray, lowest: np.ndarray, on_ground: np.ndarray,
                        plane: np.ndarray) -> None:
    """Below the lowest point of each column (``lowest``, ``on_ground`` from _lowest_rows), sets the log
    ``correction`` (working H, W) to the ground plane's where that point lies on the ground, else to the nearer of
    the two; in place."""
    x, y = image.normalised((np.arange(image.height) + 0.5) * image.subsample - 0.5,
                            (np.arange(image.width) + 0.5) * image.subsample - 0.5)
    inverse = (plane[0] * x[None, :] + plane[1] * y[:, None] + plane[2]).astype(np.float32)
    below = (np.arange(image.height)[:, None] > lowest[None, :]) & (lowest >= 0)[None, :] & (inverse > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ground = -np.log(inverse) - image.log_depth
    replace = below & (on_ground[None, :] | (ground < correction))
    correction[replace] = ground[replace]


def _snapped_to_edges(image: _WorkingImage, correction: np.ndarray, config: FusionConfig) -> np.ndarray:
    """The log ``correction`` (working H, W) at full resolution, float32 (H, W): guided-filtered (guide: the log
    depth) in proportion to the structure of the prediction, so that it follows the prediction's depth edges, and
    as it is where the prediction is flat, so that the edges the LiDAR alone shows are not blurred; clipped to the
    range of ``correction``. Both are linear in the guide: slope * log depth + offset, with coefficients computed at
    the working resolution and bilinearly upsampled."""
    radius = max(1, round(config.guided_radius_px / image.subsample))
    slope, offset, structure = _guided_filter_coefficients(image.log_depth, correction, radius, config.guided_eps)
    slope *= structure
    offset = structure * offset + (1.0 - structure) * correction
    size = (image.full_width, image.full_height)
    slope = cv2.resize(slope, size, interpolation=cv2.INTER_LINEAR)
    offset = cv2.resize(offset, size, interpolation=cv2.INTER_LINEAR)
    return np.clip(slope * image.full_log_depth + offset, correction.min(), correction.max())


def _guided_filter_coefficients(guide: np.ndarray, source: np.ndarray, radius: int,
                                eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """He et al.'s guided filter: window-averaged a, b (float32, shape of guide) so output = a * guide + b, and
    the structure of the guide, variance / (variance + eps) in the window around each pixel (0 where it is flat,
    near 1 at its edges)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(image):
        return cv2.boxFilter(image, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_guide, mean_source = mean(guide), mean(source)
    covariance = mean(guide * source) - mean_guide * mean_source
    variance = mean(guide * guide) - mean_guide * mean_guide
    slope = covariance / (variance + np.float32(eps))
    offset = mean_source - slope * mean_guide
    return mean(slope), mean(offset), variance / (variance + np.float32(eps))


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
