"""What the automatic settings look at in a depth map: the subject, the background, the depth range.

All functions take depth float (H, W) in metres along the optical axis (NaN, inf or <= 0 = no reading) and work on
every 4th row and column, which is plenty for distances and keeps them under a millisecond at 640x480.
"""
from __future__ import annotations

import numpy as np

SUBJECT_MIN_SHARE = 0.12
"""A depth mode is a subject when it holds this share of the centre-weighted pixels."""
CENTRE_SIGMA = 0.3
"""Width of the centre weighting, as a fraction of the image width and height (Gaussian sigma)."""
HISTOGRAM_BINS = 48
BACKGROUND_PERCENTILE = 85.0
STEP = 4


def _sampled(depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log-depth of the valid pixels on every STEP-th row/column and their centre weights."""
    sampled = np.asarray(depth, dtype=np.float32)[::STEP, ::STEP]
    rows, cols = sampled.shape
    y = (np.arange(rows) - (rows - 1) / 2.0) / (CENTRE_SIGMA * rows)
    x = (np.arange(cols) - (cols - 1) / 2.0) / (CENTRE_SIGMA * cols)
    weights = np.exp(-0.5 * (y[:, None] ** 2 + x[None, :] ** 2))
    valid = np.isfinite(sampled) & (sampled > 0.0)
    return np.log(sampled[valid]), weights[valid]


def centre_depth(depth: np.ndarray) -> float:
    """Median depth (m) of the central tenth of the image; NaN when it has no readings."""
    height, width = depth.shape
    window = depth[int(0.45 * height):int(0.55 * height) + 1, int(0.45 * width):int(0.55 * width) + 1]
    valid = window[np.isfinite(window) & (window > 0.0)]
    return float(np.median(valid)) if valid.size else float("nan")


def _modes(histogram: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) bins of each basin of a histogram: the bins between two local minima around each peak."""
    basins, start = [], 0
    for index in range(1, len(histogram) - 1):
        if histogram[index] < histogram[index - 1] and histogram[index] <= histogram[index + 1]:
            basins.append((start, index))
            start = index + 1
    basins.append((start, len(histogram) - 1))
    return basins


def subject_depth(depth: np.ndarray) -> float:
    """Distance (m) of the subject: the nearest depth mode that holds SUBJECT_MIN_SHARE of the pixels, weighted
    towards the image centre; else the depth at the centre; NaN when the image has no depth at all."""
    log_depth, weights = _sampled(depth)
    if log_depth.size == 0:
        return float("nan")
    low, high = np.percentile(log_depth, [1.0, 99.0])
    if high - low < 1e-3:
        return float(np.exp(np.median(log_depth)))
    bins = np.clip(((log_depth - low) / (high - low) * HISTOGRAM_BINS).astype(np.int64), 0, HISTOGRAM_BINS - 1)
    histogram = np.bincount(bins, weights, HISTOGRAM_BINS)
    smoothed = np.convolve(histogram, [0.25, 0.5, 0.25], mode="same")
    total = histogram.sum()
    for first, last in _modes(smoothed):
        share = histogram[first:last + 1].sum() / total
        if share >= SUBJECT_MIN_SHARE:
            inside = (bins >= first) & (bins <= last)
            return float(np.exp(np.average(log_depth[inside], weights=weights[inside])))
    centre = centre_depth(depth)
    return centre if np.isfinite(centre) else float(np.exp(np.median(log_depth)))


def background_depth(depth: np.ndarray) -> float:
    """Distance (m) of the background: the BACKGROUND_PERCENTILE-th percentile of depth; NaN without depth."""
    log_depth, _ = _sampled(depth)
    return float(np.exp(np.percentile(log_depth, BACKGROUND_PERCENTILE))) if log_depth.size else float("nan")


def depth_range(depth: np.ndarray, low_percentile: float = 2.0, high_percentile: float = 98.0
                ) -> tuple[float, float]:
    """(near, far) distances (m) at the given percentiles, far > near; (1, 10) without depth."""
    log_depth, _ = _sampled(depth)
    if log_depth.size == 0:
        return 1.0, 10.0
    near, far = np.exp(np.percentile(log_depth, [low_percentile, high_percentile]))
    return float(near), float(max(far, near * 1.01))


def split_depth(depth: np.ndarray) -> float:
    """The distance (m) that best separates near from far (Otsu's threshold on log-depth); NaN without depth."""
    log_depth, _ = _sampled(depth)
    if log_depth.size < 2:
        return float("nan")
    histogram, edges = np.histogram(log_depth, bins=64)
    centres = 0.5 * (edges[1:] + edges[:-1])
    below = np.cumsum(histogram)
    below_sum = np.cumsum(histogram * centres)
    total, total_sum = below[-1], below_sum[-1]
    above = total - below
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_below = below_sum / below
        mean_above = (total_sum - below_sum) / above
        between = below * above * (mean_below - mean_above) ** 2
    between[~np.isfinite(between)] = -1.0
    return float(np.exp(edges[int(np.argmax(between)) + 1]))
