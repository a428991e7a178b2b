"""Simulated sparse LiDAR depth sampled from ground-truth depth, for evaluation."""
from __future__ import annotations

import numpy as np


def sparse_from_beams(depth_gt: np.ndarray, beams: int, column_step: int = 4) -> np.ndarray:
    """Simulated sparse LiDAR from ground-truth depth float (H, W) in metres (0 or NaN: no ground truth).

    Samples ``beams`` image rows evenly spaced from 10 % to 90 % of the height (row round(f * (H - 1)) for
    evenly spaced f in [0.1, 0.9]) at every ``column_step``-th column starting at column 0.
    Returns float32 (H, W) metres, NaN away from the samples and where there is no ground truth.
    """
    depth_gt = np.asarray(depth_gt)
    if depth_gt.ndim != 2:
        raise ValueError(f"expected ground-truth depth (H, W), got shape {depth_gt.shape}")
    if beams < 1 or column_step < 1:
        raise ValueError(f"beams and column_step must be >= 1, got {beams} and {column_step}")
    height = depth_gt.shape[0]
    rows = np.unique(np.round(np.linspace(0.1, 0.9, beams) * (height - 1)).astype(np.int64))
    sparse = np.full(depth_gt.shape, np.nan, dtype=np.float32)
    samples = depth_gt[rows, ::column_step].astype(np.float32)
    with np.errstate(invalid="ignore"):
        samples[~(np.isfinite(samples) & (samples > 0.0))] = np.nan
    sparse[rows[:, None], np.arange(0, depth_gt.shape[1], column_step)[None, :]] = samples
    return sparse
