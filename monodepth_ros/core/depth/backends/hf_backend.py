"""Depth models from Hugging Face transformers: DPT, Depth Anything (v1/v2), ZoeDepth, GLPN, Depth Pro.

uint8 RGB (N, H, W, 3) -> the model's processor (on the host), or the same resize and normalisation on the
model's device (device_preprocess.py) -> network (fp32 / fp16 / bf16; eager, compiled or CUDA graphs) -> maps
(N, H, W) at the input resolution: a float32 torch tensor left on the model's device.
"""
from __future__ import annotations

import importlib.util
import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from monodepth_ros.core.depth.backends.base import DepthBackend, RawBatch
from monodepth_ros.core.depth.backends.device_preprocess import ProcessorOnDevice, UnsupportedPreprocessing
from monodepth_ros.core.depth.backends.torch_runtime import HostToDevice, NetworkRunner, in_float32, torch_dtype_for
from monodepth_ros.core.depth.device import resolve_torch_device
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import ModelOutput
from monodepth_ros.core.depth.weights_cache import check_hub_model_available

METRIC_DEPTH_MODEL_TYPES = frozenset({"zoedepth", "depth_pro", "glpn"})
"""transformers model types whose post-processed output is depth in metres."""

ResizeToInput = Callable[[object, int, int], torch.Tensor]
"""(model outputs for N images, height, width) -> predicted maps (N, height, width) at the input resolution."""


def native_output_of(config) -> ModelOutput | None:
    """What the post-processed output of a transformers depth model means; None for unknown model types."""
    model_type = getattr(config, "model_type", "")
    if model_type in METRIC_DEPTH_MODEL_TYPES:
        return ModelOutput.METRIC_DEPTH
    if model_type == "depth_anything":
        if getattr(config, "depth_estimation_type", "relative") == "metric":
            return ModelOutput.METRIC_DEPTH
        return ModelOutput.RELATIVE_INVERSE_DEPTH
    if model_type == "dpt":
        return ModelOutput.RELATIVE_INVERSE_DEPTH
    return None


class HuggingFaceBackend(DepthBackend):
    """Runs an ``AutoModelForDepthEstimation`` with its ``AutoImageProcessor`` (PyTorch, CPU or CUDA).

    ``spec.model`` is a hub id or a local folder. Remote code is never executed: models whose classes are
    not part of the installed transformers fail to load. Weights load from safetensors when the model has
    them, else from PyTorch .bin files through torch's weights-only unpickler.
    """

    def __init__(self, spec: ModelSpec, logger: logging.Logger) -> None:
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation

        if not spec.model:
            raise ValueError("backend 'hf' needs model: a Hugging Face hub id or a local model folder")
        self.device = resolve_torch_device(spec.device, logger)
        self._dtype = torch_dtype_for(spec.requested_precision, self.device, logger)
        if not Path(spec.model).exists():
            check_hub_model_available(spec.model)
        self._processor = AutoImageProcessor.from_pretrained(spec.model, trust_remote_code=False)
        self._model = AutoModelForDepthEstimation.from_pretrained(
            spec.model, trust_remote_code=False, dtype=self._dtype, weights_only=True).to(self.device).eval()
        self._memory_format = torch.channels_last if spec.channels_last else torch.contiguous_format
        if spec.channels_last:
            self._model = self._model.to(memory_format=torch.channels_last)
        self._processor_kwargs = _processor_size_kwargs(self._processor, spec.input_size, spec.model)
        self._on_device = _device_preprocessing(self._processor, spec, self.device)
        self._upload = HostToDevice(self.device)
        self._network = NetworkRunner(self._model, self.device, spec.torch_compile, spec.cuda_graphs, logger)
        self._resize_to_input = _resize_to_input_for(self._processor, self._model.config.model_type)
        self.native_output = native_output_of(self._model.config)
        self.description = f"hf:{self._model.config.model_type} {spec.model}"
        self.preprocessing = "host" if self._on_device is None else "device"
        """Where images are resized and normalised: 'host' (the model's processor) or 'device'."""

    @property
    def settings(self) -> str:
        """What runs, e.g. 'cuda:0 float16 channels_last cuda_graphs, preprocessing on device'."""
        layout = " channels_last" if self._memory_format is torch.channels_last else ""
        return (f"{self.device} {str(self._dtype).removeprefix('torch.')}{layout} {self._network.mode}, "
                f"preprocessing on {self.preprocessing}")

    def infer_batch(self, images: np.ndarray) -> RawBatch:
        """uint8 RGB (N, H, W, 3) -> float32 tensor (N, H, W) on the model's device, in the model's own units."""
        height, width = images.shape[1:3]
        start = time.perf_counter()
        with torch.inference_mode():
            pixel_values = self._pixel_values(images)
            self._synchronize()
            prepared = time.perf_counter()
            outputs = self._network(pixel_values)
            self._synchronize()
            inferred = time.perf_counter()
            maps = self._resize_to_input(in_float32(outputs), height, width)
            self._synchronize()
        done = time.perf_counter()
        return RawBatch(maps, (prepared - start) * 1e3, (inferred - prepared) * 1e3, (done - inferred) * 1e3)

    def _pixel_values(self, images: np.ndarray) -> torch.Tensor:
        """The network input (N, 3, h, w) in the model's dtype and memory format, on its device."""
        if self._on_device is None:
            inputs = self._processor(images=list(images), return_tensors="pt", input_data_format="channels_last",
                                     **self._processor_kwargs)
            pixel_values = inputs["pixel_values"].to(self.device, dtype=self._dtype)
        else:
            pixel_values = self._on_device(self._upload(images)).to(self._dtype)
        return pixel_values.contiguous(memory_format=self._memory_format)

    def _synchronize(self) -> None:
        """Wait for queued CUDA work so that stage timings measure the work, not its launch."""
        if self.device.startswith("cuda"):
            torch.cuda.synchronize(self.device)


def _device_preprocessing(processor, spec: ModelSpec, device: str) -> ProcessorOnDevice | None:
    """The device preprocessing ``spec.preprocess`` asks for; None for the processor on the host.

    'auto' takes the device path on CUDA when it reproduces the processor (device_preprocess.py) and the host
    otherwise; 'device' raises ValueError for a processor it does not reproduce.
    """
    if spec.preprocess == "host" or (spec.preprocess == "auto" and not device.startswith("cuda")):
        return None
    try:
        return ProcessorOnDevice(processor, spec.input_size, device)
    except UnsupportedPreprocessing as reason:
        if spec.preprocess == "device":
            raise ValueError(f"preprocess 'device' is not available for '{spec.model}': {reason}") from None
        return None


def _processor_size_kwargs(processor, input_size: tuple[int, int], model: str) -> dict:
    """Processor call arguments for ``input_size`` (height, width) in pixels; empty when it is (0, 0)."""
    if not any(input_size):
        return {}
    if not all(input_size):
        raise ValueError(f"input_size needs both height and width, got {tuple(input_size)}")
    size = getattr(processor, "size", None)
    if size is None or "height" not in size or "width" not in size:
        raise ValueError(f"the {type(processor).__name__} of '{model}' does not take a height x width size "
                         f"(its size is {size}); set input_size to (0, 0)")
    return {"size": {"height": int(input_size[0]), "width": int(input_size[1])}}


def _resize_to_input_for(processor, model_type: str) -> ResizeToInput:
    """How to bring the predicted map to the input resolution: the processor's post-processing if any."""
    post_process = getattr(processor, "post_process_depth_estimation", None)
    if post_process is None:
        return _bilinear_to_input
    if model_type == "zoedepth" and importlib.util.find_spec("torchvision") is None:
        # transformers' ZoeDepth post-processing calls torchvision.
        pad = bool(getattr(processor, "do_pad", True))
        return lambda outputs, height, width: zoedepth_to_input(outputs.predicted_depth, height, width, pad)
    if "source_sizes" in inspect.signature(post_process).parameters:
        return lambda outputs, height, width: _stacked(post_process(
            outputs, source_sizes=[(height, width)] * len(outputs.predicted_depth),
            target_sizes=[(height, width)] * len(outputs.predicted_depth)), height, width)
    return lambda outputs, height, width: _stacked(post_process(
        outputs, target_sizes=[(height, width)] * len(outputs.predicted_depth)), height, width)


def _stacked(results: list[dict], height: int, width: int) -> torch.Tensor:
    """The processor's per-image ``predicted_depth`` maps as one tensor (N, height, width)."""
    return torch.stack([result["predicted_depth"].reshape(height, width) for result in results])


def _bilinear_to_input(outputs, height: int, width: int) -> torch.Tensor:
    """``predicted_depth`` (N, h, w) bilinearly resized to (N, height, width)."""
    predicted = outputs.predicted_depth.reshape(-1, 1, *outputs.predicted_depth.shape[-2:])
    return torch.nn.functional.interpolate(predicted, size=(height, width), mode="bilinear",
                                           align_corners=False)[:, 0]


def zoedepth_to_input(predicted_depth: torch.Tensor, height: int, width: int, padded: bool) -> torch.Tensor:
    """ZoeDepth's maps (N, h, w) at the input resolution (N, height, width), reflection padding removed.

    The ZoeDepth processor pads each side by int(sqrt(H / 2) * 3) rows and int(sqrt(W / 2) * 3) columns
    before resizing, as transformers' ``ZoeDepthImageProcessor.post_process_depth_estimation`` assumes.
    """
    pad_h = int(np.sqrt(height / 2) * 3) if padded else 0
    pad_w = int(np.sqrt(width / 2) * 3) if padded else 0
    predicted = predicted_depth.reshape(-1, 1, *predicted_depth.shape[-2:])
    resized = torch.nn.functional.interpolate(predicted, size=(height + 2 * pad_h, width + 2 * pad_w),
                                              mode="bicubic", align_corners=False)
    return resized[:, 0, pad_h:pad_h + height, pad_w:pad_w + width]
