"""The effects by name: each a pure function (rgb, depth_m, intrinsics, params) -> image with its parameters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.compositing import isolate
from monodepth_ros.core.effects.compositing.anchor import WorldAnchor
from monodepth_ros.core.effects.compositing.ar_insert import ArInsertParams, ar_insert
from monodepth_ros.core.effects.compositing.fog import FogParams, fog
from monodepth_ros.core.effects.encoding import compress
from monodepth_ros.core.effects.lens import bokeh, rack_focus
from monodepth_ros.core.effects.options import OptionField, option_fields
from monodepth_ros.core.effects.views import parallax, stereo

EffectFunction = Callable[[np.ndarray, np.ndarray, Intrinsics, Any], np.ndarray]


class UnknownEffectError(ValueError):
    """No effect has this name."""


@dataclass(frozen=True)
class Effect:
    """An effect: ``apply(rgb uint8 (H, W, 3), depth_m float (H, W), intrinsics, params)`` returns uint8 RGB
    (RGBA for isolate with a transparent background; other sizes for some stereo formats)."""

    name: str
    apply: EffectFunction
    parameters: type
    """Frozen dataclass of the parameters; its defaults are the effect's defaults."""
    summary: str
    animated: bool = False
    """It changes by itself over time (``time_s``): an image becomes a video."""
    resolve: Callable[[np.ndarray, Intrinsics, Any], Any] | None = None
    """Returns the parameters with what the function would take from this frame's depth made explicit."""
    smoothed: tuple[str, ...] = ()
    """The distances (metres) ``resolve`` fills in, which a video smooths over time."""
    derived: Callable[[Any], dict[str, float]] | None = None
    """Values that follow from resolved parameters and show what a frame did (e.g. the rack's focus distance)."""
    tracker: Callable[[], Any] | None = None
    """Per-stream state taken from the images: a factory of objects whose ``update(rgb, intrinsics, params)``
    returns this frame's parameters (e.g. the camera rotation that keeps an AR object in place)."""

    def defaults(self) -> Any:
        return self.parameters()

    def fields(self) -> tuple[OptionField, ...]:
        return option_fields(self.parameters)


EFFECTS: dict[str, Effect] = {effect.name: effect for effect in (
    Effect("bokeh", bokeh.bokeh, bokeh.BokehParams,
           "Refocus with a simulated lens: thin-lens depth of field, occlusion-aware",
           resolve=lambda depth, intrinsics, params: bokeh.resolved(depth, params), smoothed=("focus_m",)),
    Effect("rack-focus", rack_focus.rack_focus, rack_focus.RackFocusParams,
           "Focus moving between distances over time (critically damped spring)", animated=True,
           resolve=lambda depth, intrinsics, params: rack_focus.resolved(depth, params),
           smoothed=("rack_from_m", "rack_to_m"), derived=lambda params: {"focus_m": rack_focus.focus_at(params)}),
    Effect("fog", fog, FogParams, "Fog or haze by distance: exp, exp2 or linear"),
    Effect("parallax", parallax.parallax, parallax.ParallaxParams,
           "3D photo: a virtual camera moving along a path", animated=True,
           resolve=parallax.resolved, smoothed=("pivot_m", "amplitude_m"),
           derived=lambda params: dict(zip(("camera_x_m", "camera_y_m", "camera_z_m"),
                                           parallax.camera_offset(params)))),
    Effect("stereo", stereo.stereo, stereo.StereoParams,
           "Stereo 3D: a synthesised right view; side-by-side, top-bottom or anaglyph",
           resolve=lambda depth, intrinsics, params: stereo.resolved(depth, params), smoothed=("near_m", "far_m")),
    Effect("isolate", isolate.isolate, isolate.IsolateParams,
           "Subject isolation by depth: background blurred, replaced or transparent",
           resolve=lambda depth, intrinsics, params: isolate.resolved(depth, params), smoothed=("subject_far_m",)),
    Effect("ar-insert", ar_insert, ArInsertParams,
           "AR: a virtual billboard or box hidden behind nearer real things (per-pixel depth test)",
           tracker=WorldAnchor),
    Effect("compress", compress.compress, compress.CompressParams,
           "Depth-aware compression: the background smoothed by depth so the video encoder spends its bits on the "
           "subject", resolve=lambda depth, intrinsics, params: compress.resolved(depth, params),
           smoothed=("sharp_until_m",)),
)}


def get_effect(name: str) -> Effect:
    """The effect called ``name``; UnknownEffectError lists the known ones."""
    try:
        return EFFECTS[name]
    except KeyError:
        raise UnknownEffectError(f"unknown effect {name!r}; choose one of {', '.join(EFFECTS)}") from None
