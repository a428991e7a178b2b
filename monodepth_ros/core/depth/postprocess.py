"""Post-processing of depth maps that every consumer of a depth image shares."""
from __future__ import annotations

import numpy as np


def mask_outside_range(depth: np.ndarray, min_m: float, max_m: float) -> np.ndarray:
    """Set depth (metres, float32 (H, W)) outside [min_m, max_m] to NaN, in place; returns it."""
    with np.errstate(invalid="ignore"):
        depth[(depth < min_m) | (depth > max_m)] = np.nan
    return depth
