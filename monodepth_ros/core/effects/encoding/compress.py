"""Depth-aware compression: the background is smoothed before encoding, so the encoder spends its bits on the
subject.

An encoder at a fixed quality (H.264 CRF) spends bits on detail and noise wherever they are. Smoothing what lies
beyond the subject removes most of that cost where viewers look least. Per pixel, with depth Z and the subject's
far limit Zs (``sharp_until_m``; auto: the split of near from far, Otsu's threshold on log-depth), the weight

    w = smoothstep((Z / Zs - 1) / transition)      (0 on the subject, 1 from Zs * (1 + transition) on)

mixes the frame with its Gaussian blur (sigma ``background_smoothing_px``): out = (1 - w) * frame + w * blurred.
Subject pixels (w = 0) are passed unchanged; missing depth counts as background. Per-region quantisation would
need encoder hooks that PyAV's libx264 does not expose, so the smoothing is done on the frames.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import split_depth

FALLBACK_SHARP_M = 2.0
"""Subject limit (metres) of a frame without depth."""


@dataclass(frozen=True)
class CompressParams:
    sharp_until_m: float = option(0.0, "Farthest distance (metres) kept untouched as the subject; 0 = the split of "
                                  "near from far in each frame", 0.0, 100000.0)
    transition: float = option(0.15, "Width of the change from sharp to smoothed, as a share of sharp_until_m",
                               0.01, 10.0)
    background_smoothing_px: float = option(4.0, "Gaussian sigma (pixels) of the smoothing of the far background",
                                            0.3, 50.0)

    def __post_init__(self) -> None:
        check_options(self)


def resolved(depth_m: np.ndarray, params: CompressParams) -> CompressParams:
    """``params`` with sharp_until_m from the frame's depth when it is 0 (auto)."""
    if params.sharp_until_m > 0.0:
        return params
    split = split_depth(depth_m)
    return dataclasses.replace(params, sharp_until_m=split if np.isfinite(split) else FALLBACK_SHARP_M)


def background_weight(depth_m: np.ndarray, params: CompressParams) -> np.ndarray:
    """float32 (H, W) in [0, 1]: how much each pixel is smoothed (0 subject, 1 far background or no depth)."""
    sharp = resolved(depth_m, params).sharp_until_m
    depth = np.asarray(depth_m, np.float32)
    with np.errstate(invalid="ignore"):
        x = np.clip((depth / np.float32(sharp) - 1.0) / np.float32(params.transition), 0.0, 1.0)
    x = np.where(np.isfinite(depth) & (depth > 0.0), x, 1.0).astype(np.float32)
    return x * x * (3.0 - 2.0 * x)


def compress(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: CompressParams) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` with its background smoothed by depth (``depth_m`` float (H, W), metres)."""
    weight = background_weight(depth_m, params)
    if not weight.any():
        return rgb[..., :3].copy()
    smoothed = cv2.GaussianBlur(rgb[..., :3], (0, 0), params.background_smoothing_px,
                                borderType=cv2.BORDER_REPLICATE).astype(np.float32)
    out = rgb[..., :3].astype(np.float32)
    out += weight[..., None] * (smoothed - out)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
