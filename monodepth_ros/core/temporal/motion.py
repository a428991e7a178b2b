"""Scale and shift of a new depth prediction against the tracked one: new ~ tracked * (a x + b y + c) + d.

(x, y) are normalised image coordinates ((u - cx) / fx, (v - cy) / fy). For metric depth of a static scene this
is exactly how a rigid motion changes depth (c = r33, (a, b) = (r31, r32), d = t_z); for relative inverse depth it
is an affine map (scale c, shift d) with a first-order tilt. The stabiliser fits it in relative inverse mode to
map each new prediction onto the tracked values.
"""
from __future__ import annotations

import cv2
import numpy as np

IDENTITY = np.array([0.0, 0.0, 1.0, 0.0])
"""Coefficients (a, b, c, d) of z' = z * (a x + b y + c) + d that leave the depth unchanged."""
BLOCK_PX = 16
"""The fit uses the means of the usable pixels of BLOCK_PX x BLOCK_PX blocks: averaging the noise out of the
tracked depth (the regressor) keeps it from biasing the fit (errors in variables shrink c towards 0)."""
SAMPLE_STRIDE = 2
"""The fit samples every SAMPLE_STRIDE-th pixel of every SAMPLE_STRIDE-th row (a block holds
(BLOCK_PX / SAMPLE_STRIDE)^2 samples)."""
MIN_BLOCK_FILL = 0.5
"""A block takes part when at least this fraction of its pixels is usable."""
MIN_FIT_POINTS = 32
"""Fewest usable blocks that make a fit."""
TRIM_SIGMAS = 2.5
"""Second pass of the fit: points whose relative residual exceeds this many robust sigmas are left out."""
PRIOR_STD = np.array([0.02, 0.02, 0.1, 0.02])
"""Prior standard deviations of (a, b, c, d / median |new|) around IDENTITY: a, b are rotation rates (rad per
frame), c the scale ratio, d a translation along the optical axis relative to the scene depth. They decide only
what the data leave open (a scene at one depth cannot separate scale from translation)."""


class DepthMotionFitter:
    """Fits the depth-change model between a tracked and a new depth map of one size, on block means.

    Works on every SAMPLE_STRIDE-th pixel of every SAMPLE_STRIDE-th row; blocks of BLOCK_PX x BLOCK_PX image
    pixels. Buffers are allocated once.
    """

    def __init__(self, width: int, height: int) -> None:
        sample_shape = ((height + SAMPLE_STRIDE - 1) // SAMPLE_STRIDE, (width + SAMPLE_STRIDE - 1) // SAMPLE_STRIDE)
        step = BLOCK_PX // SAMPLE_STRIDE
        self._small_size = (max(1, sample_shape[1] // step), max(1, sample_shape[0] // step))
        self._tracked = np.empty(sample_shape, dtype=np.float32)
        self._new = np.empty(sample_shape, dtype=np.float32)
        self._mask = np.empty(sample_shape, dtype=np.float32)
        small_w, small_h = self._small_size
        self._columns = ((np.arange(small_w) + 0.5) * (sample_shape[1] / small_w) - 0.5) * SAMPLE_STRIDE
        self._rows = ((np.arange(small_h) + 0.5) * (sample_shape[0] / small_h) - 0.5) * SAMPLE_STRIDE

    def fit(self, tracked: np.ndarray, new: np.ndarray, usable: np.ndarray, fx: float, fy: float, cx: float,
            cy: float, noise_rel: float) -> np.ndarray | None:
        """(a, b, c, d) of new ~ tracked * (a x + b y + c) + d (fit_depth_motion) from float32 (H, W) maps,
        ``usable`` bool (H, W) (both finite and reliably tracked) and the intrinsics in pixels."""
        step = SAMPLE_STRIDE
        sample_usable = usable[::step, ::step]
        np.copyto(self._mask, sample_usable)
        self._tracked.fill(0.0)
        self._new.fill(0.0)
        np.copyto(self._tracked, tracked[::step, ::step], where=sample_usable)
        np.copyto(self._new, new[::step, ::step], where=sample_usable)
        fill = cv2.resize(self._mask, self._small_size, interpolation=cv2.INTER_AREA)
        tracked_sum = cv2.resize(self._tracked, self._small_size, interpolation=cv2.INTER_AREA)
        new_sum = cv2.resize(self._new, self._small_size, interpolation=cv2.INTER_AREA)
        blocks = fill >= MIN_BLOCK_FILL
        safe_fill = np.where(blocks, fill, 1.0)
        x = np.broadcast_to(((self._columns - cx) / fx)[None, :], fill.shape)
        y = np.broadcast_to(((self._rows - cy) / fy)[:, None], fill.shape)
        return fit_depth_motion(tracked_sum / safe_fill, new_sum / safe_fill, x, y, blocks,
                                noise_rel * SAMPLE_STRIDE / BLOCK_PX)


def fit_depth_motion(tracked: np.ndarray, new: np.ndarray, x: np.ndarray, y: np.ndarray, usable: np.ndarray,
                     noise_rel: float) -> np.ndarray | None:
    """Regularised least-squares (a, b, c, d) with new ~ tracked * (a x + b y + c) + d, residuals relative to
    ``new`` with standard deviation ``noise_rel``.

    All arrays are float32 of one shape (sample pixels): the tracked depth warped into the new frame, the new
    prediction, the normalised image coordinates and a bool mask of the pixels to use. Two passes: the second
    leaves out points beyond TRIM_SIGMAS robust sigmas (moving objects, mistracked pixels). Returns None with
    fewer than MIN_FIT_POINTS usable pixels or non-finite values.
    """
    tracked_values = tracked[usable].astype(np.float64)
    if tracked_values.size < MIN_FIT_POINTS:
        return None
    new_values = new[usable].astype(np.float64)
    magnitude = np.maximum(np.abs(new_values), 1e-6)
    weights = 1.0 / (noise_rel * magnitude)
    design = np.stack([tracked_values * x[usable], tracked_values * y[usable], tracked_values,
                       np.ones_like(tracked_values)], axis=1) * weights[:, None]
    target = new_values * weights
    prior_std = PRIOR_STD * np.array([1.0, 1.0, 1.0, float(np.median(magnitude))])
    coefficients = _solve(design, target, prior_std)
    if coefficients is None:
        return None
    residual = design @ coefficients - target
    spread = 1.4826 * np.median(np.abs(residual - np.median(residual)))
    kept = np.abs(residual) <= max(TRIM_SIGMAS * spread, 1e-6)
    if np.count_nonzero(kept) < MIN_FIT_POINTS:
        return coefficients
    refined = _solve(design[kept], target[kept], prior_std)
    return coefficients if refined is None else refined


def _solve(design: np.ndarray, target: np.ndarray, prior_std: np.ndarray) -> np.ndarray | None:
    """Maximum a posteriori coefficients: unit-variance residuals ``design @ p - target`` and a Gaussian prior
    of ``prior_std`` around IDENTITY."""
    precision = 1.0 / np.square(prior_std)
    normal = design.T @ design + np.diag(precision)
    coefficients = np.linalg.solve(normal, design.T @ target + precision * IDENTITY)
    return coefficients if np.isfinite(coefficients).all() else None
