"""Temporal consistency of a depth sequence: TAE with ground-truth poses, and a flicker figure without them.

TAE (temporal alignment error) follows Video Depth Anything's benchmark (benchmark/eval/eval_tae.py): for each
pair of consecutive frames (i, i + 1), every pixel of frame i is back-projected with K and its predicted depth,
moved by the ground-truth relative pose T_(i+1)<-i = inv(T_(i+1)) @ T_i, re-projected and rounded to the nearest
pixel (the last point written to a pixel wins, as there), and the AbsRel mean |D_(i+1) - D_proj| / D_(i+1) is
taken over the pixels where both are > 0; the same from i + 1 to i; TAE is the mean over the 2 (N - 1) directed
pairs x 100. A pair without any such pixel counts as 0, as there. The depth is used as given (metres); that
benchmark first aligns affine-invariant disparity to the ground truth over the whole sequence, which metric
depth does not need.
"""
from __future__ import annotations

import numpy as np

FLICKER_GT_CHANGE = 0.01
"""The flicker figure uses the pixels whose ground truth changes by less than this fraction between frames."""


def tae_pair(depth_from: np.ndarray, depth_to: np.ndarray, to_from_from: np.ndarray, K: np.ndarray) -> float:
    """AbsRel of ``depth_from`` (H, W) metres moved by the 4x4 ``to_from_from`` into the view of ``depth_to``.

    Pixels of ``depth_from`` that are not finite and > 0 are not projected; NaN in ``depth_to`` counts as no
    depth. Returns 0.0 when no pixel is compared (eval_tae.py's tae_torch).
    """
    height, width = depth_from.shape
    fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
    with np.errstate(invalid="ignore"):
        source = np.isfinite(depth_from) & (depth_from > 0.0)
    rows, columns = np.nonzero(source)
    z = depth_from[rows, columns].astype(np.float64)
    points = np.stack([(columns - cx) * z / fx, (rows - cy) * z / fy, z], axis=1)
    moved = points @ to_from_from[:3, :3].T + to_from_from[:3, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.round(moved[:, 0] * fx / moved[:, 2] + cx)
        v = np.round(moved[:, 1] * fy / moved[:, 2] + cy)
    inside = (u >= 0) & (u < width) & (v >= 0) & (v < height)
    if not inside.any():
        return 0.0
    projected = np.zeros((height, width))
    projected[v[inside].astype(np.int64), u[inside].astype(np.int64)] = moved[inside, 2]
    target = np.nan_to_num(np.asarray(depth_to, dtype=np.float64), nan=0.0)
    compared = (projected > 0.0) & (target > 0.0)
    if not compared.any():
        return 0.0
    return float(np.mean(np.abs(target[compared] - projected[compared]) / target[compared]))


def tae(depth: np.ndarray, poses: np.ndarray, K: np.ndarray) -> float:
    """TAE x 100 of ``depth`` float (N, H, W) metres (NaN invalid), ``poses`` (N, 4, 4) camera-to-world, K (3, 3).

    NaN for fewer than two frames.
    """
    depth, poses = np.asarray(depth), np.asarray(poses, dtype=np.float64)
    if depth.ndim != 3 or poses.shape != (depth.shape[0], 4, 4):
        raise ValueError(f"expected depth (N, H, W) and poses (N, 4, 4), got {depth.shape} and {poses.shape}")
    if depth.shape[0] < 2:
        return float("nan")
    total = 0.0
    for index in range(depth.shape[0] - 1):
        next_from_this = np.linalg.inv(poses[index + 1]) @ poses[index]
        total += tae_pair(depth[index], depth[index + 1], next_from_this, K)
        total += tae_pair(depth[index + 1], depth[index], np.linalg.inv(next_from_this), K)
    return 100.0 * total / (2 * (depth.shape[0] - 1))


def flicker(depth: np.ndarray, gt_depth: np.ndarray) -> float:
    """Mean over consecutive pairs of median |D(t+1) - D(t)| / D(t), over the pixels where both predictions are
    finite and > 0 and the ground truth is known in both frames and changes by less than FLICKER_GT_CHANGE.

    ``depth`` and ``gt_depth`` float (N, H, W) metres, NaN invalid. Pairs without such pixels are left out; NaN
    when no pair has any.
    """
    depth, gt_depth = np.asarray(depth, dtype=np.float64), np.asarray(gt_depth, dtype=np.float64)
    if depth.shape != gt_depth.shape or depth.ndim != 3:
        raise ValueError(f"expected depth and ground truth of one shape (N, H, W), got {depth.shape} and "
                         f"{gt_depth.shape}")
    medians = []
    for before, after, gt_before, gt_after in zip(depth, depth[1:], gt_depth, gt_depth[1:]):
        with np.errstate(invalid="ignore", divide="ignore"):
            steady = (np.abs(gt_after - gt_before) < FLICKER_GT_CHANGE * gt_before) & (gt_before > 0.0)
            steady &= np.isfinite(before) & np.isfinite(after) & (before > 0.0) & (after > 0.0)
        if steady.any():
            medians.append(np.median(np.abs(after[steady] - before[steady]) / before[steady]))
    return float(np.mean(medians)) if medians else float("nan")
