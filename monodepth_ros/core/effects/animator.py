"""Effects over time, per stream: the time of animated effects, automatic distances smoothed from frame to frame,
and a beat envelope driving one parameter.

Per frame: the effect's automatic distances (focus, pivot, depth range, ...) are taken from the frame's depth and
passed through critically damped springs (in log-distance, settle time ``smoothing_s``), so they glide instead of
jumping with every frame's estimate; then the beat mode changes its parameter by the envelope value b in [0, 1]
and ``strength``:

    focus-pull      (bokeh)     focus moves from the subject towards the background, in dioptres:
                                1 / focus = (1 - k) / subject + k / background, k = min(strength * b, 1)
    fog-pulse       (fog)       density * (1 + strength * b)
    parallax-punch  (parallax)  the camera moves forward by strength * b * PUNCH_SHARE of the pivot distance
    zoom-punch      (any)       the output is magnified by 1 + strength * b * ZOOM_SHARE about its centre
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.animation import CriticallyDampedSpring
from monodepth_ros.core.effects.options import option_fields
from monodepth_ros.core.effects.registry import Effect
from monodepth_ros.core.effects.scene import background_depth

BEAT_MODES: dict[str, tuple[str, ...]] = {"focus-pull": ("bokeh",), "fog-pulse": ("fog",),
                                          "parallax-punch": ("parallax",), "zoom-punch": ()}
"""Beat modes and the effects they work with (empty = any)."""
PUNCH_SHARE = 0.15
ZOOM_SHARE = 0.1


def beat_mode_error(mode: str, effect_name: str) -> str | None:
    """Why ``mode`` cannot drive ``effect_name``, or None ("none" always can)."""
    if mode == "none":
        return None
    if mode not in BEAT_MODES:
        return f"unknown beat mode {mode!r}; choose one of none, {', '.join(BEAT_MODES)}"
    effects = BEAT_MODES[mode]
    if effects and effect_name not in effects:
        return f"beat mode {mode} works with the {' or '.join(effects)} effect, not {effect_name}"
    return None


def zoom_about_centre(image: np.ndarray, zoom: float) -> np.ndarray:
    """``image`` magnified by ``zoom`` (>= 1) about its centre, same size."""
    if zoom <= 1.0 + 1e-6:
        return image
    height, width = image.shape[:2]
    scale = np.array([[zoom, 0.0, (1.0 - zoom) * (width - 1) / 2.0], [0.0, zoom, (1.0 - zoom) * (height - 1) / 2.0]])
    return cv2.warpAffine(image, scale, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _with_clipped(params: Any, values: dict[str, float]) -> Any:
    """``params`` with ``values`` clipped to their fields' ranges."""
    limits = {field.name: field.info for field in option_fields(type(params))}
    clipped = {name: float(np.clip(value, limits[name].minimum, limits[name].maximum))
               for name, value in values.items()}
    return dataclasses.replace(params, **clipped)


class EffectAnimator:
    """Renders one stream's frames with one effect; ``params`` are its settings, the beat mode one of BEAT_MODES
    or "none"."""

    def __init__(self, effect: Effect, params: Any, beat_mode: str = "none", beat_strength: float = 1.0,
                 smoothing_s: float = 0.5) -> None:
        error = beat_mode_error(beat_mode, effect.name)
        if error:
            raise ValueError(error)
        self.effect, self.params = effect, params
        self.beat_mode, self.beat_strength = beat_mode, float(beat_strength)
        self.smoothing_s = float(smoothing_s)
        self._springs: dict[str, CriticallyDampedSpring] = {}
        self._time_s: float | None = None
        self._has_time = "time_s" in {field.name for field in effect.fields()}
        self._tracker = effect.tracker() if effect.tracker is not None else None

    def reset(self) -> None:
        """Forget the smoothed distances (e.g. after a cut or a jump back in time)."""
        self._springs.clear()
        self._time_s = None
        if self.effect.tracker is not None:
            self._tracker = self.effect.tracker()

    def _smoothed(self, name: str, value: float, dt_s: float) -> float:
        if not (np.isfinite(value) and value > 0.0) or self.smoothing_s <= 0.0:
            return value
        spring = self._springs.get(name)
        if spring is None:
            self._springs[name] = CriticallyDampedSpring(self.smoothing_s, math.log(value))
            return value
        return math.exp(spring.step(math.log(value), dt_s))

    def render(self, rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, time_s: float,
               beat: float = 0.0) -> tuple[np.ndarray, dict[str, float]]:
        """The frame at ``time_s`` (seconds, increasing) with envelope value ``beat``, and the parameters that
        were animated, by name."""
        if self._time_s is not None and time_s < self._time_s:
            self.reset()
        dt_s = 0.0 if self._time_s is None else time_s - self._time_s
        self._time_s = time_s
        params, animated = self.params, {}
        if self._has_time:
            params = dataclasses.replace(params, time_s=float(time_s))
            animated["time_s"] = float(time_s)
        if self._tracker is not None:
            params = self._tracker.update(rgb, intrinsics, params)
        if self.effect.resolve is not None:
            params = self.effect.resolve(depth_m, intrinsics, params)
            smoothed = {name: self._smoothed(name, getattr(params, name), dt_s) for name in self.effect.smoothed}
            params = _with_clipped(params, smoothed)
            animated.update({name: getattr(params, name) for name in self.effect.smoothed})
        strength = self.beat_strength * min(max(beat, 0.0), 1.0)
        zoom = 1.0
        if self.beat_mode == "focus-pull":
            background = self._smoothed("background_m", background_depth(depth_m), dt_s)
            if np.isfinite(background):
                share = min(strength, 1.0)
                dioptres = (1.0 - share) / params.focus_m + share / max(background, params.focus_m)
                params = _with_clipped(params, {"focus_m": 1.0 / dioptres})
            animated["focus_m"] = params.focus_m
        elif self.beat_mode == "fog-pulse":
            params = _with_clipped(params, {"density": params.density * (1.0 + strength)})
            animated["density"] = params.density
        elif self.beat_mode == "parallax-punch":
            params = _with_clipped(params, {"dolly_m": params.dolly_m + strength * PUNCH_SHARE * params.pivot_m})
            animated["dolly_m"] = params.dolly_m
        elif self.beat_mode == "zoom-punch":
            zoom = 1.0 + strength * ZOOM_SHARE
            animated["zoom"] = zoom
        if self.effect.derived is not None and self.effect.resolve is not None:
            animated.update(self.effect.derived(params))
        image = zoom_about_centre(self.effect.apply(rgb, depth_m, intrinsics, params), zoom)
        return image, {name: round(float(value), 6) for name, value in animated.items()}
