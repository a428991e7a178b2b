"""Any ONNX depth model through ONNX Runtime (CPU, CUDA or TensorRT execution providers)."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.depth.backends.base import DepthBackend, RawOutput
from monodepth_ros.core.depth.device import onnx_providers
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import ModelOutput


class OnnxBackend(DepthBackend):
    """Runs an ONNX model with one image input (N, 3, H, W) and one depth output (N, [1,] H, W)."""

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
        self._mean = np.asarray(spec.mean, dtype=np.float32).reshape(3, 1, 1)
        self._inv_std = 1.0 / np.asarray(spec.std, dtype=np.float32).reshape(3, 1, 1)
        self.device = self._session.get_providers()[0]
        self.description = f"onnx:{path.name} {self._input_hw[1]}x{self._input_hw[0]}"

    def infer(self, rgb: np.ndarray) -> RawOutput:
        start = time.perf_counter()
        height, width = self._input_hw
        resized = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
        chw = resized.transpose(2, 0, 1).astype(np.float32) * np.float32(1.0 / 255.0)
        batch = ((chw - self._mean) * self._inv_std)[None].astype(self._input_dtype, copy=False)
        prepared = time.perf_counter()
        output = self._session.run(None, {self._input_name: batch})[0]
        done = time.perf_counter()
        values = np.asarray(output, dtype=np.float32).reshape(output.shape[-2:])
        return RawOutput(values, (prepared - start) * 1e3, (done - prepared) * 1e3)


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


class FastDepthBackend(OnnxBackend):
    """The embedded default: FastDepth (NYU Depth v2, indoor), metric depth in metres at 224x224."""

    native_output = ModelOutput.METRIC_DEPTH

    def __init__(self, spec: ModelSpec, logger: logging.Logger) -> None:
        from monodepth_ros.core.depth.weights_cache import fastdepth_model_path

        path = Path(spec.model) if spec.model else fastdepth_model_path()
        super().__init__(spec, logger, model_path=path)
        self.description = f"fastdepth ({path.name})"
