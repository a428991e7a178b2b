"""3D photo: the scene seen from a virtual camera moving along a path, rendered from one image and its depth.

Geometry. With a = (u - cx) / fx, b = (v - cy) / fy and inverse depth w = 1 / Z (0 for missing depth: far), a
camera moved by (tx, ty, tz) metres without turning sees the pixel at

    u' = cx + fx' * (a - tx * w) / (1 - tz * w) + sx,    v' likewise with ty, fy', cy, sy,

at depth Z - tz. The image shift (sx, sy) = f' * (tx, ty) * wp / (1 - tz * wp) keeps the pivot plane Zp still,
as if orbiting the subject; fx' = fx unless the path is ``zoom``, a dolly zoom: fx' = fx * (1 - tz * wp) keeps
the pivot plane's size while the camera moves in, so the background seems to grow around the subject.

Paths, phase p = 2 pi time_s / period_s, amplitude A (metres, or from amplitude_px: the nearest content, at the
2nd depth percentile, moves by amplitude_px against infinity; for dolly and zoom at the image border):

    circle: (tx, ty) = A (sin p, cos p)     horizontal: tx = A sin p     vertical: ty = A sin p
    dolly, zoom: tz = A (1 - cos p) / 2     still: no motion

``dolly_m`` adds a forward move (the parallax-punch of a beat). Rendering: depth-ordered forward warping with gaps
filled from the background side (monodepth_ros.core.effects.views.warp), along the motion's main axis.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import depth_range, subject_depth
from monodepth_ros.core.effects.views.warp import forward_warp

PATHS = ("circle", "horizontal", "vertical", "dolly", "zoom", "still")
MIN_DEPTH_AHEAD = 0.05
"""Points less than this share of their depth in front of the moved camera are dropped."""


@dataclass(frozen=True)
class ParallaxParams:
    path: str = option("circle", "Camera path: circle, horizontal, vertical, dolly (in and out), zoom (dolly "
                       "zoom: in and out with the pivot plane's size kept), still (no motion; beats only)",
                       choices=PATHS)
    amplitude_px: float = option(12.0, "How far (pixels) the nearest content moves at the path's extreme (at the "
                                 "image border for dolly and zoom)", 0.0, 1000.0)
    amplitude_m: float = option(0.0, "Camera travel (metres) at the path's extreme; > 0 replaces amplitude_px",
                                0.0, 1000.0)
    period_s: float = option(4.0, "Duration of one loop of the path (seconds)", 0.1, 3600.0)
    pivot_m: float = option(0.0, "Distance (metres) that stays still while the camera moves; 0 = the subject",
                            0.0, 100000.0)
    time_s: float = option(0.0, "Time (seconds from the start of the animation) to render", 0.0, 1e9)
    dolly_m: float = option(0.0, "Extra forward camera move (metres), e.g. a beat's punch", -1000.0, 1000.0)

    def __post_init__(self) -> None:
        check_options(self)


def resolved(depth_m: np.ndarray, intrinsics: Intrinsics, params: ParallaxParams) -> ParallaxParams:
    """``params`` with pivot_m and amplitude_m taken from this depth map where they are automatic (0)."""
    pivot_m = params.pivot_m if params.pivot_m > 0.0 else subject_depth(depth_m)
    pivot_m = pivot_m if np.isfinite(pivot_m) and pivot_m > 0.0 else 2.0
    amplitude_m = params.amplitude_m
    if amplitude_m <= 0.0:
        near_m = depth_range(depth_m)[0]
        if params.path in ("dolly", "zoom"):
            amplitude_m = params.amplitude_px * near_m / (0.5 * intrinsics.width)
        else:
            amplitude_m = params.amplitude_px * near_m / intrinsics.fx
    return dataclasses.replace(params, pivot_m=float(pivot_m), amplitude_m=float(max(amplitude_m, 1e-9)))


def camera_offset(params: ParallaxParams) -> tuple[float, float, float]:
    """(tx, ty, tz) metres of the camera at ``params.time_s`` (amplitude_m must be resolved)."""
    phase = 2.0 * np.pi * params.time_s / params.period_s
    amplitude = params.amplitude_m
    tx = ty = tz = 0.0
    if params.path == "circle":
        tx, ty = amplitude * np.sin(phase), amplitude * np.cos(phase)
    elif params.path == "horizontal":
        tx = amplitude * np.sin(phase)
    elif params.path == "vertical":
        ty = amplitude * np.sin(phase)
    elif params.path in ("dolly", "zoom"):
        tz = amplitude * (1.0 - np.cos(phase)) / 2.0
    return float(tx), float(ty), float(tz + params.dolly_m)


def parallax(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: ParallaxParams) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` seen from the camera at ``params.time_s`` on its path; ``depth_m`` float (H, W)
    metres along the optical axis."""
    params = resolved(depth_m, intrinsics, params)
    tx, ty, tz = camera_offset(params)
    pivot_inverse = 1.0 / params.pivot_m
    if tz * pivot_inverse >= 1.0 - MIN_DEPTH_AHEAD:
        tz = (1.0 - MIN_DEPTH_AHEAD) * params.pivot_m
    zoom = 1.0 - tz * pivot_inverse if params.path == "zoom" else 1.0
    fx, fy = intrinsics.fx * zoom, intrinsics.fy * zoom
    ahead_of_pivot = 1.0 - tz * pivot_inverse
    shift_x, shift_y = fx * tx * pivot_inverse / ahead_of_pivot, fy * ty * pivot_inverse / ahead_of_pivot
    height, width = depth_m.shape
    valid = np.isfinite(depth_m) & (depth_m > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(valid, np.float32(1.0) / depth_m, np.float32(0.0)).astype(np.float32)
    ahead = np.float32(1.0) - np.float32(tz) * inverse
    a = (np.arange(width, dtype=np.float32) - np.float32(intrinsics.cx)) / np.float32(intrinsics.fx)
    b = (np.arange(height, dtype=np.float32) - np.float32(intrinsics.cy)) / np.float32(intrinsics.fy)
    with np.errstate(divide="ignore", invalid="ignore"):
        target_x = np.float32(intrinsics.cx + shift_x) + np.float32(fx) * (a[None, :] - np.float32(tx) * inverse
                                                                            ) / ahead
        target_y = np.float32(intrinsics.cy + shift_y) + np.float32(fy) * (b[:, None] - np.float32(ty) * inverse
                                                                            ) / ahead
        target_depth = np.where(inverse > 0.0, ahead / inverse, np.inf).astype(np.float32)
    target_depth[ahead < MIN_DEPTH_AHEAD] = np.nan
    view = forward_warp(target_x, target_y, target_depth, fill_axis=1 if abs(tx) >= abs(ty) else 0)
    return view.sample(rgb)
