"""Metric scale without LiDAR: the ground plane at the known camera height (ROS-free).

A robot knows where its camera is mounted: ``base_from_camera`` (4x4, camera optical frame -> base frame, the base
on the floor with z up) gives the camera height h (metres) and the floor's upward normal n in the camera frame. The
ray r = ((u - cx) / fx, (v - cy) / fy, 1) of a pixel below the horizon (n . r < 0) meets the floor at depth
z_ground = h / -(n . r) (metres along the optical axis), inverse depth q_ground = -(n . r) / h.

GroundPlaneScale.fuse fits the prediction to the floor on the candidate pixels: every ``decimation``-th pixel whose
ray points at least ``min_depression_deg`` below the horizon and meets the floor within ``max_ground_range_m``.

- Metric predictions get one scale, depth = scale * prediction: the densest window (2 x ``inlier_log_threshold``
  wide) of the log ratios log(z_ground / prediction), refined to the mean of its inliers. Those pixels are the
  ground; walls and objects in the lower image, whose ratios change along the image, are outliers. The log scale
  is smoothed across frames (scale_smoother.AdaptiveLogFilter).
- Relative inverse predictions get scale and shift, 1 / depth = s * prediction + t, from the RANSAC of the LiDAR
  fit (global_fit.ransac_inverse_affine) with q_ground in place of the LiDAR's inverse depth; every output of such
  a model is normalised on its own, so the fit is not smoothed.

The floor then corrects the depth locally as LiDAR points would (local_correction.local_correction, the fusion's
LocalCorrectionConfig): every candidate whose scaled depth lies within ``floor_log_threshold`` of the floor's is a
point at the floor's depth, so the floor becomes flat and objects standing on it take the correction of their foot.

With the camera image (``rgb``), the floor is also found by its look: a hue-saturation histogram of the floor
pixels the fit found is looked up over the image (appearance_threshold), keeping the regions that hold such
pixels. Floor pixels get the floor's depth, and in each column the obstacle standing at the top of the floor (its
foot) becomes a vertical surface at the foot's distance, up to the top edge the prediction shows
(standing_on_the_floor): walls and objects take the distance the floor gives them, whatever depth the network
predicted for them (the classic appearance-based obstacle detection of a single camera).

A fit needs ``min_inliers`` ground pixels making at least ``min_inlier_fraction`` of the candidates (the result's
confidence). Without one (no ground in view, tilted camera, unknown transform) the last fit is reused for up to
``hold_s`` seconds of stamp time (HELD; the floor corrections above still apply where the camera's pose is
known); after that metric depth passes unscaled (PASSTHROUGH) and relative depth is
NaN (NO_DEPTH), and the result's reason says why.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.fusion.config import GlobalFitConfig, GroundScaleConfig, LocalCorrectionConfig
from monodepth_ros.core.fusion.global_fit import inverse_affine_depth, ransac_inverse_affine
from monodepth_ros.core.fusion.local_correction import local_correction
from monodepth_ros.core.fusion.scale_fusion import FARTHEST_PERCENTILE, FusionResult, FusionStatus
from monodepth_ros.core.fusion.scale_smoother import AdaptiveLogFilter

RANSAC_HYPOTHESES = 128
APPEARANCE_BINS = (30, 32)
"""Hue and saturation bins of the floor's appearance histogram."""


def ground_inverse_depth(intrinsics: Intrinsics, base_from_camera: np.ndarray, decimation: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns (int (N,)) of every ``decimation``-th pixel whose ray points below the horizon, and the
    inverse depth (float64 (N,), 1/m) at which it meets the floor z = 0 of the base frame."""
    transform = np.asarray(base_from_camera, dtype=np.float64)
    if transform.shape != (4, 4) or not np.isfinite(transform).all():
        raise ValueError(f"base_from_camera must be a finite 4x4 transform, got shape {transform.shape}")
    height_m = float(transform[2, 3])
    if not height_m > 0.0:
        raise ValueError(f"the camera is {height_m:.3f} m above the base frame's floor; it must be above it")
    up_in_camera = transform[2, :3]
    rows, columns = np.mgrid[0:intrinsics.height:decimation, 0:intrinsics.width:decimation]
    rows, columns = rows.ravel(), columns.ravel()
    rays_up = (up_in_camera[0] * (columns - intrinsics.cx) / intrinsics.fx
               + up_in_camera[1] * (rows - intrinsics.cy) / intrinsics.fy + up_in_camera[2])
    below = rays_up < 0.0
    return rows[below], columns[below], -rays_up[below] / height_m


def floor_by_appearance(rgb: np.ndarray, shape: tuple[int, int], rows: np.ndarray, columns: np.ndarray,
                        config: GroundScaleConfig) -> np.ndarray:
    """bool (H, W) of ``shape``: pixels that look like the floor pixels at ``rows``, ``columns`` (of an (H, W)
    image) and lie in a region of such pixels that holds one of them. Works at appearance_width_px."""
    height, width = shape
    small_width = min(config.appearance_width_px, width)
    small_height = max(1, round(height * small_width / width))
    small = cv2.resize(np.ascontiguousarray(rgb), (small_width, small_height), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    seeds = np.zeros((small_height, small_width), np.uint8)
    seeds[rows * small_height // height, columns * small_width // width] = 1
    histogram = cv2.calcHist([hsv], [0, 1], seeds, list(APPEARANCE_BINS), [0, 180, 0, 256])
    looks_like = cv2.calcBackProject([hsv], [0, 1], histogram, [0, 180, 0, 256], 1.0) \
        >= config.appearance_threshold * float(histogram.max())
    count, labels = cv2.connectedComponents(looks_like.astype(np.uint8), connectivity=4)
    seeded = np.zeros(count, dtype=bool)
    seeded[labels[seeds > 0]] = True
    seeded[0] = False
    region = seeded[labels]
    return cv2.resize(region.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST).astype(bool)


def standing_on_the_floor(depth: np.ndarray, floor: np.ndarray, intrinsics: Intrinsics,
                          base_from_camera: np.ndarray, config: GroundScaleConfig) -> np.ndarray:
    """``depth`` (float32 (H, W) metres) with the ``floor`` pixels (bool (H, W)) below the horizon at the floor's
    depth (those whose floor depth is within e^appearance_max_log_ratio of their depth), and the objects standing
    on the floor as vertical surfaces.

    In each column, every run of pixels off the floor that starts right above floor pixels (at least half of the
    standing_run_px rows below its lowest pixel, its foot, scaled from the appearance width) stands there: up to
    where the log depth leaves standing_log_band around its value at the foot, its depth is that of the vertical
    plane through the foot's floor point facing the camera; above that (the object's top edge) what the image shows
    lies behind the object, so no nearer than that plane.
    """
    height, width = depth.shape
    transform = np.asarray(base_from_camera, dtype=np.float64)
    up = transform[2, :3]
    ray_x = ((np.arange(width) - intrinsics.cx) / intrinsics.fx)[None, :]
    ray_y = ((np.arange(height) - intrinsics.cy) / intrinsics.fy)[:, None]
    floor_inverse = np.maximum(-(up[0] * ray_x + up[1] * ray_y + up[2]) / float(transform[2, 3]), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        floor = floor & (floor_inverse > 0.0) & ~(np.log(depth * floor_inverse) < -config.appearance_max_log_ratio)
        floor_depth = 1.0 / floor_inverse
        log_depth = np.log(depth)
    result = depth.copy()
    result[floor] = floor_depth[floor].astype(np.float32)
    run = max(1, round(config.standing_run_px * width / min(config.appearance_width_px, width)))
    rows = np.broadcast_to(np.arange(height)[:, None], (height, width))
    below_is_floor = np.zeros((height, width), dtype=bool)
    below_is_floor[:-1] = floor[1:]
    foot = ~floor & below_is_floor & (_window_sum(floor, run, upwards=False) >= 0.5 * run) & (floor_inverse > 0.0)
    nearest_foot = np.minimum.accumulate(np.where(foot, rows, height)[::-1], axis=0)[::-1]
    standing = ~floor & (nearest_foot < height)
    if not standing.any():
        return result
    foot_rows = np.minimum(nearest_foot, height - 1)
    columns = np.broadcast_to(np.arange(width)[None, :], (height, width))
    ray = np.stack([np.broadcast_to(ray_x, (height, width)), np.broadcast_to(ray_y, (height, width)),
                    np.ones((height, width))])
    foot_point = ray[:, foot_rows, columns] * floor_depth[foot_rows, columns]
    horizontal = foot_point - np.einsum("i,ihw->hw", up, foot_point)[None] * up[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.sqrt(np.einsum("ihw,ihw->hw", horizontal, horizontal))
        plane_depth = (distance * distance / np.einsum("ihw,ihw->hw", horizontal, ray)).astype(np.float32)
        breaks = ~(np.abs(log_depth - log_depth[foot_rows, columns]) < config.standing_log_band)
    breaks_below = np.concatenate([np.cumsum(breaks[::-1], axis=0)[::-1], np.zeros((1, width), np.int64)])
    unbroken = breaks_below[rows, columns] == breaks_below[np.minimum(foot_rows + 1, height), columns]
    valid_plane = standing & (plane_depth > 0.0) & np.isfinite(plane_depth)
    surface = valid_plane & unbroken
    result[surface] = plane_depth[surface]
    behind = valid_plane & ~unbroken
    result[behind] = np.fmax(result[behind], plane_depth[behind])
    return result


def _window_sum(mask: np.ndarray, rows: int, upwards: bool) -> np.ndarray:
    """int (H, W): how many of ``mask`` hold in the ``rows`` rows from each pixel upwards (itself and the rows
    above it) or in the ``rows`` rows below it."""
    counts = np.concatenate([np.zeros((1, mask.shape[1]), np.int64), np.cumsum(mask, axis=0, dtype=np.int64)])
    index = np.arange(mask.shape[0])
    if upwards:
        low, high = np.maximum(index - rows + 1, 0), index + 1
    else:
        low, high = np.minimum(index + 1, mask.shape[0]), np.minimum(index + 1 + rows, mask.shape[0])
    return (counts[high] - counts[low])


class GroundPlaneScale:
    """Scales depth predictions so that the floor lies at the camera's known height; see the module docstring.

    Calls form a sequence (smoothing, held fits); reset() starts a new one.
    """

    def __init__(self, config: GroundScaleConfig | None = None, random_seed: int = 0,
                 local: LocalCorrectionConfig | None = None) -> None:
        self.config = config or GroundScaleConfig()
        self.local = local or LocalCorrectionConfig()
        self._random_seed = random_seed
        self._filter = AdaptiveLogFilter(self.config.scale_smoother)
        self.reset()

    def reset(self) -> None:
        self._filter.reset()
        self._rng = np.random.default_rng(self._random_seed)
        self._last_fit: tuple[float, float, float] | None = None
        """(scale, shift, stamp seconds) of the last fit."""

    def fuse(self, prediction_values: np.ndarray, kind: DepthKind, intrinsics: Intrinsics,
             base_from_camera: np.ndarray | None, stamp_s: float, unavailable: str = "",
             rgb: np.ndarray | None = None) -> FusionResult:
        """Scale one prediction (float (H, W): metres for METRIC, relative inverse depth otherwise) stamped
        ``stamp_s`` seconds. ``base_from_camera`` None: the camera's pose is unknown (``unavailable`` says why).
        ``rgb``: the camera image, uint8 (H', W', 3) of the same view (any size), or None."""
        prediction = np.asarray(prediction_values, dtype=np.float32)
        if prediction.shape != (intrinsics.height, intrinsics.width):
            raise ValueError(f"prediction is {prediction.shape[1]}x{prediction.shape[0]} but the intrinsics "
                             f"describe {intrinsics.width}x{intrinsics.height} images")
        kind = DepthKind(kind)
        if base_from_camera is None:
            return self._without_fit(prediction, kind, stamp_s, unavailable or "the camera's pose is unknown", 0)
        rows, columns, ground_inverse = ground_inverse_depth(intrinsics, base_from_camera, self.config.decimation)
        config = self.config
        upward = np.asarray(base_from_camera, dtype=np.float64)[2, :3]
        ray_norms = np.sqrt(((columns - intrinsics.cx) / intrinsics.fx) ** 2
                            + ((rows - intrinsics.cy) / intrinsics.fy) ** 2 + 1.0)
        steep = (ground_inverse * float(np.asarray(base_from_camera)[2, 3]) / (ray_norms * np.linalg.norm(upward))
                 >= math.sin(math.radians(config.min_depression_deg)))
        values = prediction[rows, columns].astype(np.float64)
        with np.errstate(invalid="ignore"):
            candidate = steep & (ground_inverse * config.max_ground_range_m >= 1.0) & np.isfinite(values)
            if kind is DepthKind.METRIC:
                candidate &= values > 0.0
        rows, columns = rows[candidate], columns[candidate]
        values, ground_inverse = values[candidate], ground_inverse[candidate]
        fit = self._fit_metric(values, ground_inverse) if kind is DepthKind.METRIC else self._fit_relative(
            prediction, values, ground_inverse)
        if fit is None:
            reason = f"no ground plane among {values.size} candidate pixels below the horizon"
            if not self._holds(stamp_s):
                return self._without_fit(prediction, kind, stamp_s, reason, values.size)
            scale, shift, fit_stamp_s = self._last_fit
            status, confidence = FusionStatus.HELD, 0.0
            reason = f"{reason}; using the ground scale of {stamp_s - fit_stamp_s:.2f} s ago"
            inliers = np.zeros(values.size, dtype=bool)
        else:
            scale, shift, inliers = fit
            if kind is DepthKind.METRIC:
                scale = math.exp(self._filter.update(math.log(scale)))
            self._last_fit = (scale, shift, stamp_s)
            status, confidence, reason = FusionStatus.GROUND_PLANE, float(inliers.mean()), ""
        global_depth = _scaled(prediction, kind, scale, shift)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_ratio = np.abs(np.log(global_depth[rows, columns] * ground_inverse))
        floor = log_ratio < config.floor_log_threshold
        depth = local_correction(global_depth, rows[floor], columns[floor], 1.0 / ground_inverse[floor], self.local,
                                 self._rng)
        on_ground = log_ratio < config.inlier_log_threshold
        if rgb is not None and on_ground.any():
            floor_region = floor_by_appearance(rgb, depth.shape, rows[on_ground], columns[on_ground], config)
            depth = standing_on_the_floor(depth, floor_region, intrinsics, base_from_camera, config)
        residual = (float(np.nanmedian(np.abs(depth[rows[inliers], columns[inliers]] * ground_inverse[inliers] - 1.0)))
                    if inliers.any() else math.nan)
        return FusionResult(depth, scale, shift, int(inliers.sum()), int(values.size), residual, status, reason,
                            confidence)

    def _holds(self, stamp_s: float) -> bool:
        """Whether the last fit is at most hold_s old at ``stamp_s``."""
        return self._last_fit is not None and 0.0 <= stamp_s - self._last_fit[2] <= self.config.hold_s

    def _fit_metric(self, values: np.ndarray, ground_inverse: np.ndarray
                    ) -> tuple[float, float, np.ndarray] | None:
        if values.size < self.config.min_inliers:
            return None
        threshold = self.config.inlier_log_threshold
        log_ratio = -np.log(ground_inverse * values)
        ordered = np.sort(log_ratio)
        counts = np.searchsorted(ordered, ordered + 2.0 * threshold, side="right") - np.arange(ordered.size)
        start = int(np.argmax(counts))
        estimate = float(ordered[start:start + counts[start]].mean())
        for _ in range(3):
            inliers = np.abs(log_ratio - estimate) < threshold
            estimate = float(log_ratio[inliers].mean())
        inliers = np.abs(log_ratio - estimate) < threshold
        return (math.exp(estimate), 0.0, inliers) if self._enough(inliers) else None

    def _fit_relative(self, prediction: np.ndarray, values: np.ndarray, ground_inverse: np.ndarray
                      ) -> tuple[float, float, np.ndarray] | None:
        if values.size < self.config.min_inliers:
            return None
        fit = ransac_inverse_affine(values, ground_inverse,
                                    GlobalFitConfig(inlier_log_threshold=self.config.inlier_log_threshold,
                                                    ransac_hypotheses=RANSAC_HYPOTHESES),
                                    self._rng, float(np.nanpercentile(prediction[::4, ::4], FARTHEST_PERCENTILE)))
        return fit if fit is not None and self._enough(fit[2]) else None

    def _enough(self, inliers: np.ndarray) -> bool:
        return bool(inliers.sum() >= self.config.min_inliers and inliers.mean() >= self.config.min_inlier_fraction)

    def _without_fit(self, prediction: np.ndarray, kind: DepthKind, stamp_s: float, reason: str,
                     candidates: int) -> FusionResult:
        hold_s = self.config.hold_s
        if self._holds(stamp_s):
            scale, shift, fit_stamp_s = self._last_fit
            return FusionResult(_scaled(prediction, kind, scale, shift), scale, shift, 0, candidates, math.nan,
                                FusionStatus.HELD, f"{reason}; using the ground scale of "
                                f"{stamp_s - fit_stamp_s:.2f} s ago", confidence=0.0)
        reason = f"{reason} and no ground fit in the last {hold_s:g} s"
        self._filter.reset()
        if kind is DepthKind.METRIC:
            depth = np.where(np.isfinite(prediction) & (prediction > 0.0), prediction, np.float32(np.nan))
            return FusionResult(depth.astype(np.float32), 1.0, 0.0, 0, candidates, math.nan,
                                FusionStatus.PASSTHROUGH, reason, confidence=0.0)
        return FusionResult(np.full(prediction.shape, np.nan, np.float32), math.nan, math.nan, 0, candidates,
                            math.nan, FusionStatus.NO_DEPTH, reason, confidence=0.0)


def _scaled(prediction: np.ndarray, kind: DepthKind, scale: float, shift: float) -> np.ndarray:
    """float32 metres of ``prediction`` under the fit; NaN where invalid."""
    if kind is DepthKind.RELATIVE_INVERSE:
        return inverse_affine_depth(prediction, scale, shift)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(prediction) & (prediction > 0.0)
    return np.where(valid, prediction * np.float32(scale), np.float32(np.nan)).astype(np.float32)
