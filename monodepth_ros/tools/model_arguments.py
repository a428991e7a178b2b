"""Command-line options that select a depth model, named like depth_node's parameters."""
from __future__ import annotations

import argparse

from monodepth_ros.core.depth.device import validate_device
from monodepth_ros.core.depth.backends.registry import backend_names
from monodepth_ros.core.depth.model_spec import OUTPUT_CHOICES, ModelSpec


def _device(text: str) -> str:
    error = validate_device(text)
    if error:
        raise argparse.ArgumentTypeError(error)
    return text


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--backend, --model, --output, --device, --fp16, --input-size, --canonical-focal-px."""
    parser.add_argument("--backend", choices=backend_names(), default="fastdepth",
                        help="model backend (default: fastdepth)")
    parser.add_argument("--model", default="", help="ONNX file or Hugging Face model id/folder; empty = embedded "
                        "FastDepth")
    parser.add_argument("--output", choices=OUTPUT_CHOICES, default="auto",
                        help="meaning of the model's raw output; auto asks the backend (required for onnx)")
    parser.add_argument("--device", type=_device, default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--fp16", action="store_true", help="half precision where the device supports it")
    parser.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"), default=(0, 0),
                        help="network input size in pixels; 0 0 keeps the model's own")
    parser.add_argument("--canonical-focal-px", type=float, default=0.0, metavar="F",
                        help="focal length (px) the metric model assumes; rescales depth by real/canonical")


def model_spec_from_arguments(arguments: argparse.Namespace) -> ModelSpec:
    """The ModelSpec the options of ``add_model_arguments`` describe."""
    return ModelSpec(backend=arguments.backend, model=arguments.model, output=arguments.output,
                     device=arguments.device, fp16=arguments.fp16, input_size=tuple(arguments.input_size),
                     canonical_focal_px=arguments.canonical_focal_px)
