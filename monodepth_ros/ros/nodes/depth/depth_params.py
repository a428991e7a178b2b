"""Parameters and topics of depth_node."""
from __future__ import annotations

from monodepth_ros.core.depth.backends.registry import backend_names
from monodepth_ros.core.depth.device import validate_device
from monodepth_ros.core.depth.model_spec import OUTPUT_CHOICES, PRECISION_CHOICES, PREPROCESS_CHOICES, ModelSpec
from monodepth_ros.ros.common.parameters import (
    Check,
    NodeParameters,
    ParameterSpec,
    ParameterTable,
    below,
    config_from_parameters,
    config_parameter,
)
from monodepth_ros.ros.common.shared_parameters import (
    AUTOSTART,
    CAMERA_INFO_TOLERANCE,
    DIAGNOSTICS_PERIOD,
    RELIABILITY,
    STABILISER_PARAMETERS,
    TEMPORAL_CONSISTENCY,
)
from monodepth_ros.ros.common.topic_specs import TopicSpec
from monodepth_ros.ros.common.inputs.camera_streams import cameras_error

MODEL_DEFAULTS = ModelSpec()


def _model(name: str, description: str, **constraints) -> ParameterSpec:
    return config_parameter(MODEL_DEFAULTS, name, description, **constraints)


def _positive(name: str) -> Check:
    return Check("each > 0", lambda values: None if all(v > 0.0 for v in values) else f"{name} values must be positive")


DEPTH_NODE_PARAMETERS = NodeParameters((
    _model("backend", "Model backend: fastdepth (embedded, metric, indoor), onnx "
                  "(any ONNX depth model file), hf (Hugging Face AutoModelForDepthEstimation)",
                  choices=backend_names()),
    _model("model", "ONNX file (onnx), hub id or local folder (hf); empty = the embedded FastDepth model"),
    _model("output", "Meaning of the model output; auto = known from the model (required for onnx)",
           choices=OUTPUT_CHOICES),
    _model("device", "auto, cpu, cuda or cuda:N; falls back to cpu when CUDA is absent",
           check=Check("auto, cpu, cuda or cuda:N", validate_device)),
    _model("fp16", "Half precision on CUDA (TensorRT fp16 engines for onnx); the same as precision fp16"),
    _model("precision", "Network arithmetic: fp32, fp16 (CUDA; TensorRT fp16 engines for onnx) or bf16 (hf: CPU "
           "and CUDA devices that support it); unsupported choices run fp32 with a warning",
           choices=PRECISION_CHOICES),
    _model("preprocess", "Where images are resized and normalised: host (the model's own preprocessing on the "
           "CPU), device (torch on the model's device), auto (device on CUDA where it reproduces the host path)",
           choices=PREPROCESS_CHOICES),
    _model("channels_last", "hf: run the network in NHWC memory layout (faster convolutions on CUDA)"),
    _model("torch_compile", "hf: compile the network with torch.compile (the first frames of each input size "
           "take seconds to minutes)"),
    _model("cuda_graphs", "hf on CUDA: replay the network from a CUDA graph captured per input size (with "
           "torch_compile: inductor's reduce-overhead mode)"),
    _model("input_size", "Network input [height, width] in pixels; [0, 0] = model default", minimum=0,
           maximum=4096),
    _model("mean", "Per-channel RGB mean after scaling to [0, 1] (onnx)"),
    _model("std", "Per-channel RGB std after scaling to [0, 1] (onnx)", check=_positive("std")),
    _model("canonical_focal_px", "Focal length (px) the model assumes; > 0 rescales depth by the real focal "
           "length from camera_info", minimum=0.0, maximum=100000.0),
    _model("output_scale", "Multiplies the raw model output (e.g. 0.001 for millimetres)", minimum=1e-9,
           maximum=1e9),
    ParameterSpec("min_depth_m", 0.1, "Depth below this is published as NaN (metres); must stay below max_depth_m",
                  minimum=0.0, maximum=1000.0),
    ParameterSpec("max_depth_m", 20.0, "Depth above this is published as NaN (metres)",
                  minimum=0.01, maximum=1000.0),
    ParameterSpec("cameras", [""], "Camera namespaces served by this node, e.g. [front, left, right]: per camera "
                  "<cam>/image and <cam>/camera_info in, <cam>/depth/... out, each with its own newest-frame-only "
                  "input, camera_info, diagnostics keys (<cam>/rate_hz, <cam>/latency_median_ms, "
                  "<cam>/inputs_dropped, <cam>/..._ms) and problems; one model serves all, and a camera whose outputs "
                  "have no subscriber is skipped. [''] (default) = the "
                  "node's own unnamespaced topics. lidar_fusion_node serves one camera: run one instance per "
                  "camera namespace (-r __ns:=/<cam>, its points_lidar remapped to the shared LiDAR topic)",
                  read_only=True, check=Check("distinct relative namespaces; [''] alone = unnamespaced",
                                              cameras_error)),
    ParameterSpec("batch_window_s", 0.01, "After a camera's frame arrives, how long the model waits for frames of "
                  "the other cameras to run them in one batch (seconds; it stops waiting once every camera has "
                  "one); 0 = batch only what is already waiting", minimum=0.0, maximum=1.0),
    ParameterSpec("publish_colored", True, "Publish depth/colored (rgb8 turbo) when someone subscribes"),
    TEMPORAL_CONSISTENCY,
    *STABILISER_PARAMETERS,
    RELIABILITY,
    CAMERA_INFO_TOLERANCE,
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
), renamed={"image_reliability": RELIABILITY.name}, relations=(below("min_depth_m", "max_depth_m"),))

DEPTH_NODE_TOPICS = (  # names relative to each camera namespace of `cameras` (the node's own by default)
    TopicSpec("in", "image", "sensor_msgs/Image",
              "`mono8`, `mono16`, `rgb8`, `bgr8`, `rgba8`, `bgra8`, `8UC1`, `8UC3` (taken as BGR)"),
    TopicSpec("in", "camera_info", "sensor_msgs/CameraInfo",
              "nearest stamp within `camera_info_tolerance_s` (a frame handled before its camera_info waits up to "
              "0.05 s for it while the stamps have been matching), else the newest received; frames are skipped "
              "(with a warning) until the first one arrives"),
    TopicSpec("out", "depth/image", "sensor_msgs/Image `32FC1`",
              "metric models: metres along the optical axis, NaN = invalid or outside [`min_depth_m`, "
              "`max_depth_m`]; frame and stamp of the input image"),
    TopicSpec("out", "depth/relative_inverse", "sensor_msgs/Image `32FC1`",
              "relative models instead of `depth/image`: unitless inverse depth, larger = nearer"),
    TopicSpec("out", "depth/camera_info", "sensor_msgs/CameraInfo",
              "the camera_info rescaled to the depth image, with its header"),
    TopicSpec("out", "depth/confidence", "sensor_msgs/Image `32FC1`",
              "0..1 per pixel, header of the depth image: 0.5 for a value seen once (new, moving, occluded, after "
              "a reset), towards 1 as agreeing frames accumulate, 0 where invalid; with `temporal_consistency` "
              "only, computed only while subscribed"),
    TopicSpec("out", "depth/colored", "sensor_msgs/Image `rgb8`",
              "turbo colour map, computed only while subscribed and `publish_colored` is true"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`model`, `kind`, `device`, `image_reliability` (the policy in use), `decode_ms`, `preprocess_ms`, "
              "`inference_ms`, `postprocess_ms`, `stabilise_ms`, `publish_ms`, `temporal_consistency` (on/off), "
              "`stabiliser_reset` (the reason of the last reset); with namespaced `cameras` also `cameras`, "
              "`batch_size` (frames in the last model batch) and each of those per camera as `<cam>/...` (each "
              "camera has its own stabiliser), plus `<cam>/rate_hz`, `<cam>/latency_median_ms`, "
              "`<cam>/inputs_dropped`"),
)


def model_spec_from(table: ParameterTable) -> ModelSpec:
    """The ModelSpec described by the node's parameters."""
    return config_from_parameters(ModelSpec, table)
