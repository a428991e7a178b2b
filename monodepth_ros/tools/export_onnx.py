"""monodepth-export: a Hugging Face depth model folder -> an ONNX file for the onnx backend, ONNX Runtime's TensorRT
execution provider or ``trtexec``.

    monodepth-export MODEL_DIR --out model.onnx [--input-size H W] [--opset 17] [--output KIND]

The graph takes ``pixel_values`` (N, 3, H, W) float32, normalised as the model's processor normalises, and gives
``predicted_depth`` (N, h, w); N is dynamic (TensorRT builds engines for a range of it), H x W fixed. The file
carries the input size, normalisation, output kind and model type as metadata (onnx_metadata.py), which the onnx
backend applies by itself. The export is checked against PyTorch at two batch sizes before it is written.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from monodepth_ros.core.depth.backends.onnx_metadata import ExportMetadata
from monodepth_ros.core.depth.types import ModelOutput

DEFAULT_OPSET = 17
"""Opset 17 (native LayerNormalization) is parsed by TensorRT 8.6 and 10 (JetPack 6) and ONNX Runtime >= 1.14."""
CHECK_TOLERANCE = 1e-3
"""Largest difference from PyTorch, relative to the largest predicted value, that the check accepts."""
OUTPUT_CHOICES = tuple(output.value for output in ModelOutput)
LOGGER = logging.getLogger("monodepth_ros.export")


class ExportError(Exception):
    """The model cannot be exported as asked; the message says why in one line."""


def export_metadata(processor, config, input_size: tuple[int, int] | None, output: str | None) -> ExportMetadata:
    """The preprocessing and output of the exported graph, from the model's processor and config.

    ``input_size`` (height, width) defaults to the processor's size. Raises ExportError for preprocessing the
    onnx backend does not do (padding, sizes other than height x width).
    """
    from monodepth_ros.core.depth.backends.device_preprocess import (
        ProcessorOnDevice,
        UnsupportedPreprocessing,
        processor_family,
    )
    from monodepth_ros.core.depth.backends.hf_backend import native_output_of

    model_type = getattr(config, "model_type", "")
    if model_type == "depth_pro":
        raise ExportError("Depth Pro's depth needs its predicted field of view in post-processing, which the onnx "
                          "backend does not do")
    try:
        family = processor_family(processor)
        on_device = ProcessorOnDevice(processor, input_size or (0, 0), "cpu")
    except UnsupportedPreprocessing as reason:
        raise ExportError(f"the model's preprocessing cannot be exported: {reason}") from None
    if on_device.reflect_pad or on_device.center_pad:
        raise ExportError(f"the {type(processor).__name__} pads its input, which the onnx backend does not do; "
                          "use backend hf for this model")
    if input_size is None:
        if None in on_device.size:
            raise ExportError(f"the {type(processor).__name__} has no fixed size; set --input-size H W")
        input_size = on_device.resized_size(*on_device.size)
    if family == "glpn" and any(side % on_device.size_divisor for side in input_size):
        raise ExportError(f"GLPN needs an input size in multiples of {on_device.size_divisor}, got {input_size}")
    resolved = native_output_of(config) if output is None else ModelOutput(output)
    if resolved is None:
        raise ExportError(f"cannot tell what a '{model_type}' model predicts; set --output to one of "
                          f"{', '.join(OUTPUT_CHOICES)}")
    # The onnx backend scales RGB to [0, 1] (value / 255); fold the processor's own rescale factor into mean / std.
    rescale = float(processor.rescale_factor) if getattr(processor, "do_rescale", True) else 1.0
    normalise = bool(getattr(processor, "do_normalize", False))
    mean = np.asarray(processor.image_mean if normalise else (0.0, 0.0, 0.0), dtype=np.float64)
    std = np.asarray(processor.image_std if normalise else (1.0, 1.0, 1.0), dtype=np.float64)
    to_unit = 255.0 * rescale
    # DPT, Depth Anything and GLPN processors resize their output bicubically; ZoeDepth's is done by the backend.
    output_resize = "bicubic" if family in ("dpt", "glpn") else "bilinear"
    return ExportMetadata((int(input_size[0]), int(input_size[1])), tuple(float(v) for v in mean / to_unit),
                          tuple(float(v) for v in std / to_unit), resolved, model_type, output_resize)


def export(model_dir: Path, out: Path, input_size: tuple[int, int] | None = None, opset: int = DEFAULT_OPSET,
           output: str | None = None) -> tuple[ExportMetadata, float]:
    """Write the ONNX file of the model in ``model_dir`` to ``out``; returns its metadata and the largest
    difference from PyTorch found by the check (relative to the largest predicted value)."""
    import onnx
    import torch
    from transformers import AutoImageProcessor, AutoModelForDepthEstimation

    if not model_dir.is_dir():
        raise ExportError(f"'{model_dir}' is not a model folder (config.json, weights, preprocessor_config.json)")
    try:
        processor = AutoImageProcessor.from_pretrained(str(model_dir), trust_remote_code=False)
        model = AutoModelForDepthEstimation.from_pretrained(str(model_dir), trust_remote_code=False,
                                                            weights_only=True).eval()
    except (OSError, ValueError) as error:
        raise ExportError(f"cannot load '{model_dir}': {str(error).splitlines()[0]}") from None
    metadata = export_metadata(processor, model.config, input_size, output)
    network = _predicted_depth_module(model)
    example = torch.randn(2, 3, *metadata.input_size, generator=torch.Generator().manual_seed(0))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as work, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = Path(work) / out.name
        with torch.inference_mode():
            torch.onnx.export(network, (example,), str(traced), input_names=["pixel_values"],
                              output_names=["predicted_depth"], opset_version=opset, dynamo=False,
                              dynamic_axes={"pixel_values": {0: "batch"}, "predicted_depth": {0: "batch"}})
        graph = onnx.load(str(traced))
        for key, value in metadata.to_properties().items():
            graph.metadata_props.add(key=key, value=value)
        onnx.checker.check_model(graph)
        onnx.save(graph, str(traced))
        difference = _check(network, traced, metadata.input_size)
        traced.replace(out)
    return metadata, difference


def _predicted_depth_module(model):
    """``model(pixel_values).predicted_depth`` as a module with one tensor output, for tracing."""
    import torch

    class PredictedDepth(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
            return self.model(pixel_values=pixel_values).predicted_depth

    return PredictedDepth().eval()


def _check(network, path: Path, input_size: tuple[int, int]) -> float:
    """Largest difference (relative to the largest value) between ONNX Runtime and PyTorch at batch 1 and 3;
    raises ExportError beyond CHECK_TOLERANCE (e.g. a batch size baked into the graph)."""
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (1, 3):
        pixel_values = torch.randn(batch, 3, *input_size, generator=torch.Generator().manual_seed(batch))
        with torch.inference_mode():
            expected = network(pixel_values).numpy()
        try:
            actual = session.run(None, {"pixel_values": pixel_values.numpy()})[0]
        except Exception as error:  # ONNX Runtime raises its own exception types
            raise ExportError(f"the exported graph fails at batch {batch}: {str(error).splitlines()[0]}") from None
        scale = max(float(np.abs(expected).max()), 1e-12)
        if actual.shape != expected.shape:
            raise ExportError(f"the exported graph gives {actual.shape} at batch {batch}, PyTorch {expected.shape}")
        worst = max(worst, float(np.abs(actual - expected).max()) / scale)
    if worst > CHECK_TOLERANCE:
        raise ExportError(f"the exported graph differs from PyTorch by {worst:.2e} of the largest value")
    return worst


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="monodepth-export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", type=Path, help="local Hugging Face depth model folder")
    parser.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    parser.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"),
                        help="network input size in pixels (default: the processor's size)")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                        help=f"ONNX opset (default: {DEFAULT_OPSET}, parsed by TensorRT 8.6 and later)")
    parser.add_argument("--output", choices=OUTPUT_CHOICES,
                        help="what the model predicts (default: known from the model config)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    input_size = tuple(arguments.input_size) if arguments.input_size else None
    if input_size is not None and min(input_size) <= 0:
        print("monodepth-export: --input-size needs two positive numbers", file=sys.stderr)
        return 2
    try:
        metadata, difference = export(arguments.model_dir, arguments.out, input_size, arguments.opset,
                                      arguments.output)
    except (ExportError, ImportError) as error:
        print(f"monodepth-export: {error}", file=sys.stderr)
        return 1
    height, width = metadata.input_size
    print(f"wrote {arguments.out}: {metadata.model_type} {height}x{width} (h x w), dynamic batch, opset "
          f"{arguments.opset}, {metadata.output.value}; matches PyTorch to {difference:.1e} of the largest value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
