"""Any ONNX depth model through ONNX Runtime (CPU, CUDA or TensorRT execution providers).

The model takes one image input (N, 3, h, w) and gives one depth output (N, [1,] h', w'). A fixed batch
dimension B in the file is filled B images at a time (FastDepth's B = 1 runs image by image); a dynamic one
takes the whole batch in one call. Raw maps come back as float32 numpy (N, H, W) at the input resolution.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.depth.backends.base import DepthBackend, RawBatch
from monodepth_ros.core.depth.device import onnx_providers
from monodepth_ros.core.depth.model_spec import ModelSpec


class OnnxBackend(DepthBackend):
    """Runs an ONNX model: RGB scaled to [0, 1], normalised by ``spec.mean`` / ``spec.std``, resized to its input."""

    def __init__(self, spec: ModelSpec, logger: logging.Logger, model_path: Path | None = None) -> None:
        import onnxruntime as ort

        path = Path(model_path or spec.model)
        if not path.is_file():
            raise FileNotFoundError(f"ONNX model file not found: '{path}'")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = onnx_providers(spec.device, spec.fp16, ort.get_available_providers(), logger)
        self._session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        self._input_dtype = np.float16 if model_input.type == "tensor(float16)" else np.float32
        self._input_hw = _input_size(model_input.shape, spec.input_size, path)
        batch_dim = model_input.shape[0] if model_input.shape else None
        self.fixed_batch: int | None = batch_dim if isinstance(batch_dim, int) and batch_dim > 0 else None
        """The model file's fixed batch size; None when the batch dimension is dynamic."""
        self._mean = np.asarray(spec.mean, dtype=np.float32).reshape(1, 3, 1, 1)
        self._inv_std = 1.0 / np.asarray(spec.std, dtype=np.float32).reshape(1, 3, 1, 1)
        self.device = self._session.get_providers()[0]
        self.description = f"onnx:{path.name} {self._input_hw[1]}x{self._input_hw[0]}"

    def infer_batch(self, images: np.ndarray) -> RawBatch:
        """uint8 RGB (N, H, W, 3) -> float32 numpy (N, H, W) in the model's units, bilinear to H x W."""
        count, height, width = images.shape[:3]
        start = time.perf_counter()
        network_input = self._preprocess(images)
        prepared = time.perf_counter()
        output = self._run(network_input)
        inferred = time.perf_counter()
        maps = np.asarray(output, dtype=np.float32).reshape(count, *output.shape[-2:])
        if maps.shape[1:] != (height, width):
            resized = np.empty((count, height, width), dtype=np.float32)
            for depth, target in zip(maps, resized):
                cv2.resize(depth, (width, height), dst=target, interpolation=cv2.INTER_LINEAR)
            maps = resized
        done = time.perf_counter()
        return RawBatch(maps, (prepared - start) * 1e3, (inferred - prepared) * 1e3, (done - inferred) * 1e3)

    def _preprocess(self, images: np.ndarray) -> np.ndarray:
        """uint8 (N, H, W, 3) -> (N, 3, h, w) in the model's input dtype (area-resized, normalised)."""
        height, width = self._input_hw
        if images.shape[1:3] != (height, width):
            images = np.stack([cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA) for rgb in images])
        nchw = images.transpose(0, 3, 1, 2).astype(np.float32) * np.float32(1.0 / 255.0)
        return ((nchw - self._mean) * self._inv_std).astype(self._input_dtype, copy=False)

    def _run(self, network_input: np.ndarray) -> np.ndarray:
        """The model's output for (N, 3, h, w): one call, or chunks of the fixed batch (the last one padded)."""
        if self.fixed_batch is None:
            return self._session.run(None, {self._input_name: network_input})[0]
        count, batch = len(network_input), self.fixed_batch
        if count % batch:
            padding = np.zeros((batch - count % batch, *network_input.shape[1:]), dtype=network_input.dtype)
            network_input = np.concatenate([network_input, padding])
        chunks = [self._session.run(None, {self._input_name: network_input[first:first + batch]})[0]
                  for first in range(0, len(network_input), batch)]
        return np.concatenate(chunks)[:count]


def _input_size(shape: list, requested: tuple[int, int], path: Path) -> tuple[int, int]:
    """(height, width) fed to the model: the fixed size in the file, else the requested one."""
    fixed = [dim if isinstance(dim, int) and dim > 0 else 0 for dim in shape[-2:]]
    if all(fixed) and any(requested) and tuple(requested) != tuple(fixed):
        raise ValueError(f"{path.name} has a fixed input size {fixed[0]}x{fixed[1]} (h x w); "
                         f"input_size {requested[0]}x{requested[1]} cannot be used")
    if all(fixed):
        return fixed[0], fixed[1]
    if not all(requested):
        raise ValueError(f"{path.name} has a dynamic input size; set input_size (height, width)")
    return int(requested[0]), int(requested[1])
