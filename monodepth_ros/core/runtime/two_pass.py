"""Non-causal smoothing of a whole depth sequence (offline only): the online stabiliser run forwards and
backwards, the two results averaged per pixel with their confidences as weights.

A pixel then draws on the frames after it as well as those before: the start of a sequence and the frames after
a cut, which the online stabiliser sees only once, are smoothed too.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.runtime.depth_chain import StabilisedStream
from monodepth_ros.core.temporal.config import StabiliserConfig


def smooth_two_pass(rgbs: Sequence[np.ndarray], depths: np.ndarray, intrinsics: Intrinsics, stamps_s: np.ndarray,
                    config: StabiliserConfig | None = None, relative_inverse: bool = False) -> np.ndarray:
    """Smooth ``depths`` float32 (N, H, W) (NaN invalid) of the images ``rgbs`` (N of uint8 (H, W, 3)) taken at
    increasing ``stamps_s`` (N,) seconds; returns float32 (N, H, W)."""
    config = config or StabiliserConfig()
    stamps_s = np.asarray(stamps_s, dtype=np.float64)
    if not len(rgbs) == len(depths) == len(stamps_s):
        raise ValueError(f"need as many images, depth maps and stamps, got {len(rgbs)}, {len(depths)}, "
                         f"{len(stamps_s)}")
    weighted = np.zeros(depths.shape, dtype=np.float32)
    weights = np.zeros(depths.shape, dtype=np.float32)
    for order in (range(len(depths)), range(len(depths) - 1, -1, -1)):
        stream = StabilisedStream(config, relative_inverse)
        for index in order:
            # backwards the stamps are mirrored so that they increase, as the stabiliser expects
            stamp = stamps_s[index] if order.step == 1 else stamps_s[-1] - stamps_s[index]
            result = stream.update(rgbs[index], depths[index], intrinsics, float(stamp))
            finite = np.isfinite(result.depth)
            weighted[index] += np.where(finite, result.depth * result.confidence, 0.0)
            weights[index] += np.where(finite, result.confidence, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = weighted / weights
    smoothed[~(weights > 0.0)] = np.nan
    return smoothed.astype(np.float32)
