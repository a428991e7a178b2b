"""Parameters of depth_node."""
from __future__ import annotations

from monodepth_ros.core.depth.device import validate_device
from monodepth_ros.core.depth.backends.registry import backend_names
from monodepth_ros.core.depth.model_spec import OUTPUT_CHOICES, ModelSpec
from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable, config_from_parameters, config_parameter
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

MODEL_DEFAULTS = ModelSpec()


def _model(name: str, description: str, **constraints) -> ParameterSpec:
    return config_parameter(MODEL_DEFAULTS, name, description, **constraints)


def _positive(name: str):
    return lambda values: None if all(v > 0.0 for v in values) else f"{name} values must be positive"


DEPTH_NODE_PARAMETERS = (
    _model("backend", "Model backend: fastdepth (embedded, metric, indoor), onnx "
                  "(any ONNX depth model file), hf (Hugging Face AutoModelForDepthEstimation)",
                  choices=backend_names()),
    _model("model", "ONNX file (onnx), hub id or local folder (hf); empty = the embedded FastDepth model"),
    _model("output", "Meaning of the model output; auto = known from the model (required for onnx)",
           choices=OUTPUT_CHOICES),
    _model("device", "auto, cpu, cuda or cuda:N; falls back to cpu when CUDA is absent", check=validate_device),
    _model("fp16", "Half precision on CUDA (TensorRT fp16 engines for onnx)"),
    _model("input_size", "Network input [height, width] in pixels; [0, 0] = model default", minimum=0,
           maximum=4096),
    _model("mean", "Per-channel RGB mean after scaling to [0, 1] (onnx)"),
    _model("std", "Per-channel RGB std after scaling to [0, 1] (onnx)", check=_positive("std")),
    _model("canonical_focal_px", "Focal length (px) the model assumes; > 0 rescales depth by the real focal "
           "length from camera_info", minimum=0.0, maximum=100000.0),
    _model("output_scale", "Multiplies the raw model output (e.g. 0.001 for millimetres)", minimum=1e-9,
           maximum=1e9),
    ParameterSpec("min_depth_m", 0.1, "Depth below this is published as NaN (metres)",
                  minimum=0.0, maximum=1000.0),
    ParameterSpec("max_depth_m", 20.0, "Depth above this is published as NaN (metres)",
                  minimum=0.01, maximum=1000.0),
    ParameterSpec("publish_colored", True, "Publish depth/colored (rgb8 turbo) when someone subscribes"),
    ParameterSpec("image_reliability", "auto", "Reliability of the image and camera_info subscriptions; "
                  "auto matches the publishers", choices=RELIABILITY_CHOICES, read_only=True),
    ParameterSpec("camera_info_tolerance_s", 0.1, "Largest stamp difference for pairing an image with "
                  "a camera_info (seconds)", minimum=0.0, maximum=10.0),
    ParameterSpec("diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)",
                  minimum=0.1, maximum=60.0, read_only=True),
)


def model_spec_from(table: ParameterTable) -> ModelSpec:
    """The ModelSpec described by the node's parameters."""
    return config_from_parameters(ModelSpec, table)
