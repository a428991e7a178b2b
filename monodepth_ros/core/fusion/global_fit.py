"""Robust global fits of a depth prediction to sparse LiDAR depth, the depth they give and its residual."""
from __future__ import annotations

import math

import numpy as np

from monodepth_ros.core.fusion.config import GlobalFitConfig

FAR_LIMIT_FACTOR = 4.0
"""A relative fit may place the farthest pixels of the image at most this many times the farthest LiDAR return."""


def robust_log_scale(log_ratio: np.ndarray, threshold: float, iterations: int = 3) -> tuple[float, np.ndarray]:
    """Mean log ratio of the inliers around the median, refined; returns (log scale, inlier mask)."""
    estimate = float(np.median(log_ratio))
    for _ in range(iterations):
        inliers = np.abs(log_ratio - estimate) < threshold
        if not inliers.any():
            break
        estimate = float(log_ratio[inliers].mean())
    return estimate, np.abs(log_ratio - estimate) < threshold


def ransac_inverse_affine(predicted: np.ndarray, inverse_lidar: np.ndarray, config: GlobalFitConfig,
                           rng: np.random.Generator, farthest_predicted: float | None = None
                           ) -> tuple[float, float, np.ndarray] | None:
    """Robust s > 0, t with inverse_lidar ~ s * predicted + t; (s, t, inlier mask) or None when none fits.

    A point is an inlier when |s * predicted + t - inverse_lidar| / inverse_lidar < inlier_log_threshold.
    With ``farthest_predicted`` (the smallest relative inverse depth of the image that counts), a fit must
    keep it within FAR_LIMIT_FACTOR times the farthest LiDAR return: a steep fit with a large negative shift
    would send the far part of the image, which the LiDAR does not reach, to infinity or behind the camera.
    """
    threshold = config.inlier_log_threshold
    first, second = rng.integers(0, predicted.size, size=(2, config.ransac_hypotheses))
    difference = predicted[first] - predicted[second]
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = (inverse_lidar[first] - inverse_lidar[second]) / difference
    shifts = inverse_lidar[first] - scales * predicted[first]
    plausible = (np.abs(difference) > 1e-6 * np.ptp(predicted)) & np.isfinite(scales) & (scales > 0.0)
    far_inverse_floor = float(inverse_lidar.min()) / FAR_LIMIT_FACTOR

    def keeps_far_in_reach(scale, shift):
        return True if farthest_predicted is None else scale * farthest_predicted + shift >= far_inverse_floor

    plausible &= keeps_far_in_reach(scales, shifts)
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
        if refit is None or not keeps_far_in_reach(*refit):
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


def inverse_affine_depth(prediction: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """1 / (scale * prediction + shift) as float32 metres; NaN where not finite or not positive."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        depth = np.float32(1.0) / (prediction * np.float32(scale) + np.float32(shift))
        depth[~((depth > 0.0) & (depth < np.inf))] = np.nan
    return depth


def residual(depth: np.ndarray, rows: np.ndarray, columns: np.ndarray, lidar: np.ndarray) -> float:
    """Median |depth - lidar| / lidar at the LiDAR pixels where depth is finite; NaN where there are none."""
    fused = depth[rows, columns].astype(np.float64)
    finite = np.isfinite(fused)
    if not finite.any():
        return math.nan
    return float(np.median(np.abs(fused[finite] - lidar[finite]) / lidar[finite]))
