"""Parameters and topics of depth_sonification_node: the sonifier's settings (read-only, from
SonificationConfig), the sound device and the inputs."""
from __future__ import annotations

from monodepth_ros.core.audio.sonification import SonificationConfig
from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec, config_parameter
from monodepth_ros.ros.common.shared_parameters import AUTOSTART, DIAGNOSTICS_PERIOD, RELIABILITY
from monodepth_ros.ros.common.topic_specs import TopicSpec

DEFAULTS = SonificationConfig()

DEPTH_SONIFICATION_NODE_PARAMETERS = NodeParameters((
    config_parameter(DEFAULTS, "sample_rate_hz", "Audio sample rate (Hz)", minimum=8000, maximum=192000),
    config_parameter(DEFAULTS, "update_rate_hz", "Audio frames per second; each frame is sample_rate_hz / "
                     "update_rate_hz samples and follows the newest depth image", minimum=0.5, maximum=200.0),
    config_parameter(DEFAULTS, "sectors", "Azimuth sectors across the field of view, one tone each",
                     minimum=1, maximum=32),
    config_parameter(DEFAULTS, "min_range_m", "Obstacles this near (metres, along the ray) or nearer sound "
                     "loudest and highest", minimum=0.01, maximum=1000.0),
    config_parameter(DEFAULTS, "max_range_m", "Obstacles beyond this distance (metres) are silent",
                     minimum=0.02, maximum=1000.0),
    config_parameter(DEFAULTS, "low_hz", "Pitch (Hz) of an obstacle at max_range_m", minimum=20.0,
                     maximum=20000.0),
    config_parameter(DEFAULTS, "high_hz", "Pitch (Hz) of an obstacle at min_range_m", minimum=20.0,
                     maximum=20000.0),
    config_parameter(DEFAULTS, "volume", "Amplitude (0..1) of one obstacle at min_range_m", minimum=0.0,
                     maximum=1.0),
    ParameterSpec("stale_after_s", 0.5, "Without a depth image for this long (seconds) the sound fades to silence",
                  minimum=0.05, maximum=60.0),
    ParameterSpec("sound_device", "auto", "auto: also play on the system's default sound output when there is one "
                  "(needs the sounddevice package); none: only publish", choices=("auto", "none"), read_only=True),
    RELIABILITY,
    ParameterSpec("camera_info_tolerance_s", 0.2, "Largest stamp difference between a depth image and its "
                  "camera_info (seconds)", minimum=0.0, maximum=10.0),
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
))

DEPTH_SONIFICATION_NODE_TOPICS = (
    TopicSpec("in", "depth/image", "sensor_msgs/Image `32FC1` (metres) or `16UC1`/`mono16` (mm)",
              "any resolution of the camera_info's view; remap it to `depth/fused` behind the fusion node"),
    TopicSpec("in", "depth/camera_info", "sensor_msgs/CameraInfo", "of the depth image (scaled to its size)"),
    TopicSpec("out", "sonification/audio", "std_msgs/Float32MultiArray",
              "one stereo frame per 1 / `update_rate_hz`, interleaved left/right floats in [-1, 1]; layout "
              "`dim[0]` = `samples@<sample rate in Hz>` (N), `dim[1]` = `channels` (2); continuous while active, "
              "silence without recent depth"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`sound_device`, `nearest_m` (per sector), `sonify_ms`"),
)
