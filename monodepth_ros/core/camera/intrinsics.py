"""Pinhole camera intrinsics."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Intrinsics:
    """Pinhole intrinsics in pixels of an image of ``width`` x ``height``."""

    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int

    @property
    def matrix(self) -> np.ndarray:
        """3x3 camera matrix K (float64)."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    @property
    def focal_px(self) -> float:
        """Mean focal length in pixels."""
        return 0.5 * (self.fx + self.fy)

    @classmethod
    def from_matrix(cls, k: np.ndarray, width: int, height: int) -> "Intrinsics":
        """Build from a 3x3 K; raises ValueError when the focal lengths are not positive and finite."""
        k = np.asarray(k, dtype=np.float64).reshape(3, 3)
        fx, fy, cx, cy = float(k[0, 0]), float(k[1, 1]), float(k[0, 2]), float(k[1, 2])
        if not (np.isfinite([fx, fy, cx, cy]).all() and fx > 0.0 and fy > 0.0):
            raise ValueError(f"invalid camera matrix K: fx={fx}, fy={fy}, cx={cx}, cy={cy} "
                             "(focal lengths must be positive and finite; is the camera calibrated?)")
        return cls(fx, fy, cx, cy, int(width), int(height))
