"""Parameters that several nodes have, declared once: every node's table reuses these specs."""
from __future__ import annotations

from dataclasses import replace

from monodepth_ros.core.temporal.config import StabiliserConfig
from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

RELIABILITY = ParameterSpec(
    "reliability", "auto", "Reliability of all of the node's subscriptions; auto matches the publishers",
    choices=RELIABILITY_CHOICES, read_only=True)
CAMERA_INFO_TOLERANCE = ParameterSpec(
    "camera_info_tolerance_s", 0.1, "Largest stamp difference between an image and the camera_info paired with it "
    "(seconds); beyond it the newest camera_info is used", minimum=0.0, maximum=10.0)
DIAGNOSTICS_PERIOD = ParameterSpec(
    "diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)", minimum=0.1, maximum=60.0,
    read_only=True)
AUTOSTART = ParameterSpec(
    "autostart", True, "Configure and activate at start-up, as a plain node runs; false: start unconfigured and "
    "wait for lifecycle transitions (ros2 lifecycle set, a lifecycle manager)", read_only=True)

STABILISER_DEFAULTS = StabiliserConfig()
TEMPORAL_CONSISTENCY = ParameterSpec(
    "temporal_consistency", True, "Stabilise the depth over time (online flow-guided stabiliser, "
    "core/temporal) and publish depth/confidence; false: every frame on its own")
STABILISER_PARAMETERS = (
    ParameterSpec("stabiliser.time_constant_frames", STABILISER_DEFAULTS.time_constant_frames,
                  "Strength: a pixel seen consistently blends towards its past with the newest frame weighing "
                  "1 / this (frames); 1 = no smoothing", minimum=1.0, maximum=100.0),
    ParameterSpec("stabiliser.noise_rel", STABILISER_DEFAULTS.noise_rel,
                  "Expected frame-to-frame noise of the depth, as a fraction of the value; a larger change is "
                  "taken as real", minimum=0.001, maximum=1.0),
    ParameterSpec("stabiliser.disagreement_sigmas", STABILISER_DEFAULTS.disagreement_sigmas,
                  "A new value this many standard deviations from the tracked one replaces it (moving objects)",
                  minimum=1.0, maximum=20.0),
    ParameterSpec("stabiliser.max_stamp_gap_s", STABILISER_DEFAULTS.max_stamp_gap_s,
                  "A longer gap between frames (seconds) starts the stabiliser afresh", minimum=0.001,
                  maximum=3600.0),
    ParameterSpec("stabiliser.flow_width_px", STABILISER_DEFAULTS.flow_width_px,
                  "Image width the optical flow works at (pixels; height in proportion)", minimum=32, maximum=4096),
)
"""Shown under the stabiliser. prefix; a change applies from the next frame and starts the stabiliser afresh."""


def stabiliser_config_from(table) -> StabiliserConfig | None:
    """The StabiliserConfig of a node's stabiliser parameters; None while temporal_consistency is false."""
    if not table[TEMPORAL_CONSISTENCY.name]:
        return None
    prefix = "stabiliser."
    return replace(STABILISER_DEFAULTS, **{spec.name[len(prefix):]: table[spec.name] for spec in STABILISER_PARAMETERS})
