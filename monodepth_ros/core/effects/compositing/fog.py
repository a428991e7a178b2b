"""Fog and haze from depth: Koschmieder's law of atmospheric scattering.

Light from a surface at distance d along the ray (not along the optical axis: d = z * |K^-1 [u, v, 1]|) reaches
the camera attenuated by the transmission T(d), and the fog scatters its own colour A into the rest:

    I = T(d) * I_surface + (1 - T(d)) * A

in linear light, with the OpenGL fog modes for T, d' = max(d - start_m, 0) and density b (1/m):

    exp:     T = exp(-b * d')
    exp2:    T = exp(-(b * d')^2)
    linear:  T = clamp((end_m - d) / (end_m - start_m), 0, 1)

Missing depth (NaN, inf, <= 0: sky, or no reading) counts as infinitely far: fog colour.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import to_linear, to_srgb
from monodepth_ros.core.effects.options import check_options, option


@dataclass(frozen=True)
class FogParams:
    fog_mode: str = option("exp", "How transmission falls with distance: exp, exp2 (clear near, dense far) or "
                           "linear (from start_m to end_m)", choices=("exp", "exp2", "linear"))
    density: float = option(0.15, "Extinction coefficient b of the exp and exp2 modes (1/metre): "
                            "at distance 1/b, exp keeps 37 % of the surface's light", 0.0, 100.0)
    fog_color: tuple = option((200, 205, 215), "Fog colour (R, G, B, 0..255, sRGB)", 0, 255)
    start_m: float = option(0.0, "Distance (metres) where the fog begins", 0.0, 10000.0)
    end_m: float = option(20.0, "Distance (metres) of full fog in linear mode", 0.01, 10000.0)

    def __post_init__(self) -> None:
        check_options(self)
        if self.fog_mode == "linear" and self.end_m <= self.start_m:
            raise ValueError(f"end_m ({self.end_m}) must exceed start_m ({self.start_m}) in linear fog mode")


@lru_cache(maxsize=8)
def _ray_lengths(intrinsics: Intrinsics, height: int, width: int) -> np.ndarray:
    """float32 (H, W): |K^-1 [u, v, 1]|, the ray length per metre of depth."""
    x = ((np.arange(width, dtype=np.float32) - np.float32(intrinsics.cx)) / np.float32(intrinsics.fx)) ** 2
    y = ((np.arange(height, dtype=np.float32) - np.float32(intrinsics.cy)) / np.float32(intrinsics.fy)) ** 2
    return np.sqrt(np.float32(1.0) + y[:, None] + x[None, :])


def ray_distance(depth_m: np.ndarray, intrinsics: Intrinsics) -> np.ndarray:
    """float32 (H, W): distance along each pixel's ray (m) from depth along the optical axis; inf where missing."""
    distance = np.asarray(depth_m, dtype=np.float32) * _ray_lengths(intrinsics, *depth_m.shape)
    distance[~(np.isfinite(distance) & (distance > 0.0))] = np.inf
    return distance


def transmission(distance_m: np.ndarray, params: FogParams) -> np.ndarray:
    """float32 T(d) in [0, 1] for distances ``distance_m`` (inf allowed), by ``params.fog_mode``."""
    if params.fog_mode == "linear":
        span = np.float32(params.end_m - params.start_m)
        return np.clip((np.float32(params.end_m) - distance_m) / span, 0.0, 1.0).astype(np.float32)
    optical_depth = np.maximum(distance_m - np.float32(params.start_m), 0.0) * np.float32(params.density)
    if params.fog_mode == "exp2":
        optical_depth = optical_depth * optical_depth
    return np.exp(-optical_depth).astype(np.float32)


def fog(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: FogParams) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` seen through fog; ``depth_m`` float (H, W) metres along the optical axis."""
    through = transmission(ray_distance(depth_m, intrinsics), params)[..., None]
    airlight = to_linear(np.asarray(params.fog_color, np.uint8))
    linear = to_linear(rgb)
    linear -= airlight
    linear *= through
    linear += airlight
    return to_srgb(linear)
