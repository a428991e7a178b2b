"""Command-line options that select a depth model: one per ModelSpec field, named like depth_node's parameter
(``input_size`` -> ``--input-size``), with the field's default."""
from __future__ import annotations

import argparse
from dataclasses import MISSING, fields
from typing import Any, Callable

from monodepth_ros.core.depth.backends.registry import backend_names
from monodepth_ros.core.depth.device import validate_device
from monodepth_ros.core.depth.model_spec import OUTPUT_CHOICES, PRECISION_CHOICES, PREPROCESS_CHOICES, ModelSpec

HELP = {
    "backend": "model backend: fastdepth (embedded, metric, indoor), onnx (an ONNX depth model file), hf (Hugging "
               "Face AutoModelForDepthEstimation)",
    "model": "ONNX file (onnx), Hugging Face hub id or local folder (hf); empty = the embedded FastDepth model",
    "output": "meaning of the model's raw output; auto asks the backend (must be set for onnx)",
    "device": "auto, cpu, cuda or cuda:N (falls back to cpu without CUDA)",
    "fp16": "half precision where the device supports it (the same as --precision fp16)",
    "precision": "network arithmetic: fp32, fp16 (CUDA, TensorRT) or bf16 (hf on CPU or CUDA)",
    "preprocess": "resize/normalise on the host, on the model's device, or auto (device on CUDA where it "
                  "reproduces the host path)",
    "channels_last": "hf: NHWC memory layout for the network",
    "torch_compile": "hf: compile the network with torch.compile",
    "cuda_graphs": "hf on CUDA: replay the network from CUDA graphs captured per input size",
    "input_size": "network input size in pixels; 0 0 keeps the model's own",
    "mean": "per-channel RGB mean subtracted after scaling to [0, 1] (onnx)",
    "std": "per-channel RGB std divided by after subtracting the mean (onnx)",
    "canonical_focal_px": "focal length (px) the metric model assumes; > 0 rescales depth by real/canonical",
    "output_scale": "multiplies the raw model output (e.g. 0.001 for a model that predicts millimetres)",
}
"""Help of each option; a ModelSpec field without an entry still gets its option, described by its name."""
CHOICES = {"backend": backend_names(), "output": OUTPUT_CHOICES, "precision": PRECISION_CHOICES,
           "preprocess": PREPROCESS_CHOICES}
METAVARS = {"input_size": ("H", "W"), "mean": ("R", "G", "B"), "std": ("R", "G", "B"), "canonical_focal_px": "F",
            "output_scale": "S"}


def _validated(validate: Callable[[str], str | None]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        error = validate(text)
        if error:
            raise argparse.ArgumentTypeError(error)
        return text

    return parse


VALIDATORS = {"device": _validated(validate_device)}


def _field_defaults() -> dict[str, Any]:
    return {field.name: field.default for field in fields(ModelSpec) if field.default is not MISSING}


def option_name(field_name: str) -> str:
    """The command-line option of a ModelSpec field: ``--input-size`` for ``input_size``."""
    return "--" + field_name.replace("_", "-")


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per ModelSpec field (``--backend``, ``--model``, ..., ``--mean R G B``, ``--output-scale``)."""
    group = parser.add_argument_group("model (as depth_node's parameters of the same names)")
    for name, default in _field_defaults().items():
        flag = option_name(name)
        if isinstance(default, bool):
            options: dict[str, Any] = {"action": "store_false" if default else "store_true"}
            flag = option_name(f"no_{name}") if default else flag
            shown = "on" if default else "off"
        elif isinstance(default, tuple):
            options = {"nargs": len(default), "type": type(default[0]), "metavar": METAVARS.get(name)}
            shown = " ".join(str(value) for value in default)
        else:
            options = {"type": VALIDATORS.get(name, type(default)), "choices": CHOICES.get(name),
                       "metavar": METAVARS.get(name)}
            shown = str(default) if default != "" else '""'
        group.add_argument(flag, dest=name, default=default, help=f"{HELP.get(name, name)} (default: {shown})",
                           **options)


def model_spec_from_arguments(arguments: argparse.Namespace) -> ModelSpec:
    """The ModelSpec the options of ``add_model_arguments`` describe; raises ValueError for values ModelSpec
    rejects (e.g. a non-positive std)."""
    values = {}
    for name, default in _field_defaults().items():
        value = getattr(arguments, name)
        values[name] = tuple(value) if isinstance(default, tuple) else value
    return ModelSpec(**values)
