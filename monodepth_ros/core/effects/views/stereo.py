"""Stereo 3D from one view and its depth: depth-image-based rendering (DIBR) of the right eye's view.

Geometry. The input is the left view. A right camera displaced by the baseline B along x, parallel to the left
one, sees a point at depth Z shifted left by the disparity

    d = fx * B / Z    (pixels; ``stereo_mode`` = metric),

and a convergence distance Zc (a horizontal image shift, as a shifted sensor does) puts points at Zc on the
screen plane: d = fx * B * (1 / Z - 1 / Zc). A rectified pair like Middlebury's has such a shift: its doffs is
fx * B / Zc. Without a trusted metric scale (``stereo_mode`` = relative) inverse depth is normalised between the
near_m and far_m distances (percentiles of the frame when 0) to n in [0, 1] (1 = near) and

    d = divergence_pct / 100 * width * (n - convergence),

so the nearest point is divergence_pct of the width out of the screen plane n = convergence.

Rendering: forward warping x_right = x_left - d in depth order with gaps filled from the background side
(monodepth_ros.core.effects.views.warp). Output: the right view, side-by-side (left | right, full or half width each),
top-bottom, or a red-cyan anaglyph with Dubois' least-squares matrices (applied in linear light).
Missing depth counts as infinitely far.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import to_linear, to_srgb
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import depth_range
from monodepth_ros.core.effects.views.warp import WarpedView, horizontal_warp

DUBOIS_LEFT = np.array([[0.456, 0.500, 0.176], [-0.040, -0.038, -0.016], [-0.015, -0.021, -0.005]], np.float32)
DUBOIS_RIGHT = np.array([[-0.043, -0.088, -0.002], [0.378, 0.734, -0.018], [-0.072, -0.113, 1.226]], np.float32)
"""Red-cyan anaglyph matrices (E. Dubois, 2001, least-squares projection in linear RGB): out = L @ left + R @ right."""
FORMATS = ("right", "sbs", "sbs-half", "tb", "anaglyph")


@dataclass(frozen=True)
class StereoParams:
    stereo_format: str = option("sbs", "Output: right (the synthesised right view), sbs (left | right, twice the "
                                "width), sbs-half (each squeezed to half width), tb (left over right), anaglyph "
                                "(red-cyan)", choices=FORMATS)
    stereo_mode: str = option("relative", "Disparity from metric depth (baseline_m, the focal length, "
                              "convergence_m) or relative (divergence_pct, convergence)",
                              choices=("metric", "relative"))
    baseline_m: float = option(0.065, "Distance between the two eyes' cameras in metric mode (metres; people: "
                               "about 0.065)", 0.0, 100.0, implies=("stereo_mode", "metric"))
    convergence_m: float = option(0.0, "Metric mode: distance (metres) that appears on the screen plane; 0 = "
                                  "infinity (parallel cameras)", 0.0, 100000.0, implies=("stereo_mode", "metric"))
    divergence_pct: float = option(2.0, "Relative mode: disparity of the nearest point, in % of the image width",
                                   0.0, 20.0, implies=("stereo_mode", "relative"))
    convergence: float = option(0.5, "Relative mode: normalised inverse depth on the screen plane (0 = far, "
                                "1 = near)", 0.0, 1.0, implies=("stereo_mode", "relative"))
    near_m: float = option(0.0, "Relative mode: distance (metres) normalised to 1; 0 = the frame's 2nd "
                           "percentile", 0.0, 100000.0)
    far_m: float = option(0.0, "Relative mode: distance (metres) normalised to 0; 0 = the frame's 98th "
                          "percentile", 0.0, 100000.0)

    def __post_init__(self) -> None:
        check_options(self)
        if 0.0 < self.far_m <= self.near_m:
            raise ValueError(f"far_m ({self.far_m}) must exceed near_m ({self.near_m})")


def disparity_px(depth_m: np.ndarray, intrinsics: Intrinsics, params: StereoParams) -> np.ndarray:
    """float32 (H, W): how far left (pixels) each left-view pixel appears in the right view."""
    valid = np.isfinite(depth_m) & (depth_m > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(valid, np.float32(1.0) / depth_m, np.float32(0.0)).astype(np.float32)
    if params.stereo_mode == "metric":
        screen = 1.0 / params.convergence_m if params.convergence_m > 0.0 else 0.0
        return np.float32(intrinsics.fx * params.baseline_m) * (inverse - np.float32(screen))
    near_m, far_m = resolved_range(depth_m, params)
    normalised = np.clip((inverse - np.float32(1.0 / far_m)) / np.float32(1.0 / near_m - 1.0 / far_m), 0.0, 1.0)
    scale = params.divergence_pct / 100.0 * depth_m.shape[1]
    return np.float32(scale) * (normalised - np.float32(params.convergence))


def resolved_range(depth_m: np.ndarray, params: StereoParams) -> tuple[float, float]:
    """(near_m, far_m) of relative mode: the parameters, or the frame's percentiles where they are 0."""
    near_auto, far_auto = depth_range(depth_m) if params.near_m <= 0.0 or params.far_m <= 0.0 else (0.0, 0.0)
    near_m = params.near_m if params.near_m > 0.0 else near_auto
    far_m = params.far_m if params.far_m > 0.0 else max(far_auto, near_m * 1.01)
    return near_m, max(far_m, near_m * 1.01)


def resolved(depth_m: np.ndarray, params: StereoParams) -> StereoParams:
    """``params`` with relative mode's near_m and far_m taken from this depth map where they are 0."""
    if params.stereo_mode != "relative":
        return params
    near_m, far_m = resolved_range(depth_m, params)
    return dataclasses.replace(params, near_m=float(min(near_m, 99_000.0)), far_m=float(min(far_m, 100_000.0)))


def right_view(rgb: np.ndarray, depth_m: np.ndarray, disparity: np.ndarray) -> tuple[np.ndarray, WarpedView]:
    """uint8 (H, W, 3) right view rendered from the left view ``rgb``, and the warp (which pixels were filled)."""
    width = disparity.shape[1]
    columns = np.arange(width, dtype=np.float32)[None, :] - disparity
    depth = np.where(np.isfinite(depth_m) & (depth_m > 0.0), depth_m, np.inf).astype(np.float32)
    view = horizontal_warp(columns, depth)
    return view.sample(rgb), view


def _squeezed(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def stereo(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: StereoParams) -> np.ndarray:
    """uint8 stereo image from the left view ``rgb`` (H, W, 3) and ``depth_m`` float (H, W) metres: (H, W, 3) for
    right, sbs-half and anaglyph, (H, 2W, 3) for sbs, (2H, W, 3) for tb."""
    right, _ = right_view(rgb, depth_m, disparity_px(depth_m, intrinsics, params))
    height, width = rgb.shape[:2]
    if params.stereo_format == "right":
        return right
    if params.stereo_format == "sbs":
        return np.concatenate([rgb, right], axis=1)
    if params.stereo_format == "sbs-half":
        half = (width // 2, height)
        return np.concatenate([_squeezed(rgb, half), _squeezed(right, (width - width // 2, height))], axis=1)
    if params.stereo_format == "tb":
        return np.concatenate([rgb, right], axis=0)
    mixed = cv2.transform(to_linear(rgb), DUBOIS_LEFT)
    mixed += cv2.transform(to_linear(right), DUBOIS_RIGHT)
    return to_srgb(mixed)
