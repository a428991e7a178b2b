"""Parameters of depth_effects_node: the effect, the beat, and each effect's own parameters as ``<effect>.<name>``
(generated from the effect's parameter fields, so names, ranges and meanings are those of monodepth-effects)."""
from __future__ import annotations

from typing import Any

from monodepth_ros.core.effects.animator import BEAT_MODES
from monodepth_ros.core.effects.options import OptionField
from monodepth_ros.core.effects.registry import EFFECTS
from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

NODE_EFFECTS = tuple(name for name, effect in EFFECTS.items() if name != "rack-focus")
"""rack-focus is not offered: in the node a change of bokeh.focus_m racks the focus (through smoothing_s)."""
TIMELESS = ("time_s", "focus_keyframes")
"""Effect fields the node does not expose: time comes from the image stamps."""


def namespace(effect_name: str) -> str:
    """Parameter prefix of an effect: its name with '-' as '_'."""
    return effect_name.replace("-", "_")


def node_fields(effect_name: str) -> tuple[OptionField, ...]:
    return tuple(field for field in EFFECTS[effect_name].fields() if field.name not in TIMELESS)


def _spec(effect_name: str, field: OptionField) -> ParameterSpec:
    default: Any = list(field.default) if isinstance(field.default, tuple) else field.default
    description = field.info.help
    return ParameterSpec(f"{namespace(effect_name)}.{field.name}", default, description,
                         minimum=field.info.minimum, maximum=field.info.maximum, choices=field.info.choices)


DEPTH_EFFECTS_NODE_PARAMETERS = (
    ParameterSpec("effect", "bokeh", "The effect applied to each image; its parameters are <effect>.<name>",
                  choices=NODE_EFFECTS),
    ParameterSpec("beat_sync", "none", "Parameter the beat topic drives: none, focus-pull (bokeh), fog-pulse "
                  "(fog), parallax-punch (parallax), zoom-punch (any effect)", choices=("none", *BEAT_MODES)),
    ParameterSpec("beat_strength", 1.0, "How strongly a beat of 1 moves the driven parameter", minimum=0.0,
                  maximum=4.0),
    ParameterSpec("beat_decay_s", 0.25, "Time constant of the decay after each beat (seconds)", minimum=0.01,
                  maximum=10.0),
    ParameterSpec("smoothing_s", 0.5, "Settle time (seconds) of the automatic distances (focus, pivot, depth "
                  "range) and of parameter changes such as bokeh.focus_m; 0 = jump", minimum=0.0, maximum=10.0),
    ParameterSpec("reliability", "auto", "Reliability of the image, depth/image and camera_info subscriptions; auto "
                  "matches the publishers", choices=RELIABILITY_CHOICES, read_only=True),
    ParameterSpec("sync_tolerance_s", 0.1, "Largest stamp difference for pairing a depth image with its image and "
                  "camera_info (seconds)", minimum=0.0, maximum=10.0),
    ParameterSpec("diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)", minimum=0.1,
                  maximum=60.0, read_only=True),
    *(_spec(name, field) for name in NODE_EFFECTS for field in node_fields(name)),
)
