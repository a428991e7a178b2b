"""Rack focus: the focus distance moving between distances over time, through the lens of the bokeh effect.

The focus follows a critically damped spring (monodepth_ros.core.effects.animation) in dioptres (1 / distance),
the scale a lens' focusing ring moves in, so racks look alike at any distance. The default is one rack from the
subject to the background at rack_at_s; ``focus_keyframes`` (time, distance pairs) replace it with any sequence.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.animation import keyframed
from monodepth_ros.core.effects.lens.bokeh import FALLBACK_FOCUS_M, LensParams, defocus
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import background_depth, subject_depth


@dataclass(frozen=True)
class RackFocusParams(LensParams):
    rack_from_m: float = option(0.0, "Focus distance (metres) before the rack; 0 = the subject", 0.0, 1000.0)
    rack_to_m: float = option(0.0, "Focus distance (metres) after the rack; 0 = the background (85th depth "
                              "percentile)", 0.0, 1000.0)
    rack_at_s: float = option(1.0, "When the rack starts (seconds)", 0.0, 1e9)
    focus_keyframes: tuple = option((), "Keyframes time_1 distance_1 time_2 distance_2 ... (seconds, metres): "
                                    "at each time the focus starts moving to that distance; replaces rack_from_m, "
                                    "rack_to_m and rack_at_s", 0.0, 1e9)
    settle_s: float = option(0.8, "Time (seconds) the focus takes to come within 2 % of a new distance", 0.01, 60.0)
    time_s: float = option(0.0, "Time (seconds from the start of the animation) to render", 0.0, 1e9)

    def __post_init__(self) -> None:
        check_options(self)
        keys = self.focus_keyframes
        if len(keys) % 2:
            raise ValueError(f"focus_keyframes takes time, distance pairs, got {len(keys)} values")
        if any(distance <= 0.0 for distance in keys[1::2]):
            raise ValueError("focus_keyframes distances must be positive")
        if any(later < earlier for earlier, later in zip(keys[0::2], keys[2::2])):
            raise ValueError("focus_keyframes times must not decrease")


def resolved(depth_m: np.ndarray, params: RackFocusParams) -> RackFocusParams:
    """``params`` with the automatic rack distances (0) taken from this depth map."""
    def known(distance: float) -> float:
        return float(np.clip(distance, 0.05, 1000.0)) if np.isfinite(distance) and distance > 0 else FALLBACK_FOCUS_M

    start = params.rack_from_m if params.rack_from_m > 0.0 else known(subject_depth(depth_m))
    end = params.rack_to_m if params.rack_to_m > 0.0 else known(background_depth(depth_m))
    return dataclasses.replace(params, rack_from_m=start, rack_to_m=end)


def focus_at(params: RackFocusParams) -> float:
    """Focus distance (m) at ``params.time_s`` (rack distances resolved)."""
    keys = params.focus_keyframes
    if keys:
        frames = list(zip(keys[0::2], keys[1::2]))
    else:
        frames = [(0.0, params.rack_from_m), (params.rack_at_s, params.rack_to_m)]
    dioptres = keyframed([(time, 1.0 / distance) for time, distance in frames], params.settle_s, params.time_s)
    return 1.0 / max(dioptres, 1e-3)


def rack_focus(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: RackFocusParams) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` through the lens focused where the rack is at ``params.time_s``."""
    return defocus(rgb, depth_m, intrinsics, params, focus_at(resolved(depth_m, params)))
