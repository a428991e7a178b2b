"""Depth accuracy metrics and the scale/shift alignment used to evaluate relative models.

A pixel counts as valid when the ground truth is finite and > 0 and the prediction is finite and > 0;
all other pixels (no ground truth, invalid prediction) are left out of every metric.
"""
from __future__ import annotations

import numpy as np

DELTA1_THRESHOLD = 1.25


def valid_depth_mask(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """bool array of the shape of ``pred`` and ``gt``: True where both are finite and > 0."""
    pred, gt = _same_shape(pred, gt)
    with np.errstate(invalid="ignore"):
        return np.isfinite(pred) & np.isfinite(gt) & (pred > 0.0) & (gt > 0.0)


def depth_metrics(pred: np.ndarray, gt: np.ndarray) -> dict[str, float | int]:
    """Compare predicted and ground-truth depth in metres, arrays of any equal shape (e.g. (H, W), (N, H, W)).

    Returns abs_rel (mean |p - g| / g), rmse (metres), delta1 (fraction of pixels with max(p/g, g/p) < 1.25)
    and valid_pixels, all over the valid pixels pooled; the three metrics are NaN when no pixel is valid.
    """
    mask = valid_depth_mask(pred, gt)
    count = int(mask.sum())
    if count == 0:
        return {"abs_rel": float("nan"), "rmse": float("nan"), "delta1": float("nan"), "valid_pixels": 0}
    p = np.asarray(pred, dtype=np.float64)[mask]
    g = np.asarray(gt, dtype=np.float64)[mask]
    ratio = np.maximum(p / g, g / p)
    return {
        "abs_rel": float(np.mean(np.abs(p - g) / g)),
        "rmse": float(np.sqrt(np.mean((p - g) ** 2))),
        "delta1": float(np.mean(ratio < DELTA1_THRESHOLD)),
        "valid_pixels": count,
    }


def align_scale_shift_inverse(pred_inverse: np.ndarray, gt_depth: np.ndarray) -> np.ndarray:
    """Align a relative inverse-depth map to ground truth and return it as depth in metres.

    Fits scale s and shift t by least squares so that s * pred_inverse + t matches 1 / gt_depth on the pixels
    where pred_inverse is finite and gt_depth is finite and > 0 (the MiDaS evaluation protocol), then returns
    1 / (s * pred_inverse + t) as float32 of the input shape; NaN where that inverse depth is not positive
    or pred_inverse is not finite. Raises ValueError with fewer than two usable pixels.
    """
    pred_inverse, gt_depth = _same_shape(pred_inverse, gt_depth)
    pred64 = pred_inverse.astype(np.float64)
    with np.errstate(invalid="ignore"):
        mask = np.isfinite(pred64) & np.isfinite(gt_depth) & (gt_depth > 0.0)
    if mask.sum() < 2:
        raise ValueError(f"cannot align: only {int(mask.sum())} pixels have both a finite prediction and "
                         "ground truth (need at least 2)")
    x = pred64[mask]
    design = np.stack([x, np.ones_like(x)], axis=1)
    (scale, shift), *_ = np.linalg.lstsq(design, 1.0 / gt_depth[mask].astype(np.float64), rcond=None)
    aligned_inverse = scale * pred64 + shift
    depth = np.full(pred64.shape, np.nan)
    positive = np.isfinite(aligned_inverse) & (aligned_inverse > 0.0)
    depth[positive] = 1.0 / aligned_inverse[positive]
    return depth.astype(np.float32)


def _same_shape(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"prediction and ground truth shapes differ: {a.shape} vs {b.shape}")
    return a, b
