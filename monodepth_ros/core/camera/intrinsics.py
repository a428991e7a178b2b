"""Pinhole camera intrinsics."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


FOCAL_RATIO_RANGE = (0.01, 1000.0)
"""Plausible focal lengths relative to the larger image side: 0.01 is a field of view of about 178 degrees, 1000
about 0.06 degrees. Outside it K is taken for a calibration error (unprojection would give absurd or infinite
coordinates)."""
PRINCIPAL_POINT_MARGIN = 1.0
"""The principal point may lie outside the image by at most this fraction of its size on each side."""


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
        """Build from a 3x3 K; raises ValueError unless the focal lengths lie within FOCAL_RATIO_RANGE times the
        larger image side and the principal point within PRINCIPAL_POINT_MARGIN of the image."""
        k = np.asarray(k, dtype=np.float64).reshape(3, 3)
        fx, fy, cx, cy = float(k[0, 0]), float(k[1, 1]), float(k[0, 2]), float(k[1, 2])
        if not (np.isfinite([fx, fy, cx, cy]).all() and fx > 0.0 and fy > 0.0):
            raise ValueError(f"invalid camera matrix K: fx={fx}, fy={fy}, cx={cx}, cy={cy} "
                             "(focal lengths must be positive and finite; is the camera calibrated?)")
        if width <= 0 or height <= 0:
            raise ValueError(f"image size must be positive, got {width} x {height}")
        side = max(width, height)
        low, high = FOCAL_RATIO_RANGE[0] * side, FOCAL_RATIO_RANGE[1] * side
        if not (low <= fx <= high and low <= fy <= high):
            raise ValueError(f"implausible focal length fx={fx:.4g}, fy={fy:.4g} px for a {width} x {height} image: "
                             f"expected {low:.4g} .. {high:.4g} px ({FOCAL_RATIO_RANGE[0]} .. "
                             f"{FOCAL_RATIO_RANGE[1]:.0f} x the larger side)")
        margin_x, margin_y = PRINCIPAL_POINT_MARGIN * width, PRINCIPAL_POINT_MARGIN * height
        if not (-margin_x <= cx <= width + margin_x and -margin_y <= cy <= height + margin_y):
            raise ValueError(f"principal point ({cx:.4g}, {cy:.4g}) px lies far outside the {width} x {height} "
                             "image")
        return cls(fx, fy, cx, cy, int(width), int(height))
