"""Parameters of depth_effects_node: the effect, the beat, and each effect's own parameters as ``<effect>.<name>``
(generated from the effect's parameter fields, so names, ranges and meanings are those of monodepth-effects)."""
from __future__ import annotations

from typing import Any

from monodepth_ros.core.effects.animator import BEAT_MODES
from monodepth_ros.core.effects.options import OptionField
from monodepth_ros.core.effects.registry import EFFECTS
from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec
from monodepth_ros.ros.common.shared_parameters import AUTOSTART, DIAGNOSTICS_PERIOD, RELIABILITY
from monodepth_ros.ros.common.topic_specs import TopicSpec

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


DEPTH_EFFECTS_NODE_PARAMETERS = NodeParameters((
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
    RELIABILITY,
    ParameterSpec("sync_tolerance_s", 0.1, "Largest stamp difference for pairing a depth image with its image and "
                  "camera_info (seconds)", minimum=0.0, maximum=10.0),
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
    *(_spec(name, field) for name in NODE_EFFECTS for field in node_fields(name)),
))

DEPTH_EFFECTS_NODE_TOPICS = (
    TopicSpec("in", "image", "sensor_msgs/Image, a colour encoding", "the picture the effect is applied to; matched "
              "to each depth image within `sync_tolerance_s`, waiting up to 0.1 s"),
    TopicSpec("in", "depth/image", "sensor_msgs/Image `32FC1` (metres) or `16UC1`/`mono16` (mm)",
              "any resolution of the same view (resized to the image); remap it to `depth/fused` behind the fusion "
              "node"),
    TopicSpec("in", "camera_info", "sensor_msgs/CameraInfo", "of the image (scaled to its size)"),
    TopicSpec("in", "beat", "std_msgs/Float32", "0..1: each message is a beat of that strength (a live audio "
              "analyser, a MIDI bridge); drives `beat_sync`"),
    TopicSpec("out", "effects/image", "sensor_msgs/Image `rgb8` (`rgba8` for a transparent background)",
              "header of the image; twice as wide (tall) for side-by-side (top-bottom) stereo; computed only while "
              "subscribed"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`effect`, `beat_sync`, `decode_ms`, `effect_ms`, `publish_ms`, `total_ms`"),
)
