"""Depth estimation: backend inference plus the post-processing every backend shares."""
from __future__ import annotations

import logging
import time

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.backends.base import DepthBackend
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import DepthKind, DepthPrediction, ModelOutput

LOGGER = logging.getLogger("monodepth_ros.estimator")


def create_backend(spec: ModelSpec, logger: logging.Logger = LOGGER) -> DepthBackend:
    """Instantiate the backend named by ``spec.backend`` (imports only what that backend needs)."""
    if spec.backend == "fastdepth":
        from monodepth_ros.core.depth.backends.onnx_backend import FastDepthBackend

        return FastDepthBackend(spec, logger)
    if spec.backend == "onnx":
        from monodepth_ros.core.depth.backends.onnx_backend import OnnxBackend

        return OnnxBackend(spec, logger)
    from monodepth_ros.core.depth.backends.hf_backend import HuggingFaceBackend

    return HuggingFaceBackend(spec, logger)


def resolve_output(spec: ModelSpec, backend: DepthBackend) -> ModelOutput:
    """The meaning of the raw output: the spec's setting, else what the backend knows of its model."""
    if spec.output != "auto":
        return ModelOutput(spec.output)
    if backend.native_output is None:
        raise ValueError(f"cannot tell whether {backend.description} predicts metric or relative, depth or "
                         "inverse depth; set output to one of metric_depth, metric_inverse_depth, "
                         "relative_depth, relative_inverse_depth")
    return backend.native_output


class DepthEstimator:
    """Loads one model and turns RGB images into depth maps at the input resolution."""

    def __init__(self, spec: ModelSpec, logger: logging.Logger = LOGGER,
                 backend: DepthBackend | None = None) -> None:
        self.spec = spec
        self.backend = backend or create_backend(spec, logger)
        self.output = resolve_output(spec, self.backend)
        if spec.canonical_focal_px > 0.0 and self.output.kind is not DepthKind.METRIC:
            raise ValueError("canonical_focal_px applies to metric models only")

    @property
    def kind(self) -> DepthKind:
        return self.output.kind

    @property
    def description(self) -> str:
        return self.backend.description

    @property
    def device(self) -> str:
        return self.backend.device

    def predict(self, rgb: np.ndarray, intrinsics: Intrinsics | None = None) -> DepthPrediction:
        """Estimate depth for ``rgb`` uint8 (H, W, 3).

        Returns float32 (H, W): metres for metric models, relative inverse depth otherwise; NaN invalid.
        ``intrinsics`` are required when the model has a canonical focal length.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected uint8 RGB (H, W, 3), got {rgb.dtype} {rgb.shape}")
        raw = self.backend.infer(rgb)
        start = time.perf_counter()
        values = self._to_output_kind(raw.values * np.float32(self.spec.output_scale))
        height, width = rgb.shape[:2]
        if values.shape != (height, width):
            values = cv2.resize(values, (width, height), interpolation=cv2.INTER_LINEAR)
        if self.spec.canonical_focal_px > 0.0:
            if intrinsics is None:
                raise ValueError("this model needs the camera's focal length (canonical_focal_px is set)")
            values *= np.float32(intrinsics.focal_px / self.spec.canonical_focal_px)
        invalid = ~np.isfinite(values)
        if self.kind is DepthKind.METRIC:
            invalid |= values <= 0.0
        values[invalid] = np.nan
        timings = {"preprocess": raw.preprocess_ms, "inference": raw.inference_ms,
                   "postprocess": (time.perf_counter() - start) * 1e3}
        return DepthPrediction(values.astype(np.float32, copy=False), self.kind, timings)

    def _to_output_kind(self, values: np.ndarray) -> np.ndarray:
        """Metric models -> depth in metres; relative models -> relative inverse depth."""
        if self.output in (ModelOutput.METRIC_DEPTH, ModelOutput.RELATIVE_INVERSE_DEPTH):
            return values.astype(np.float32, copy=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.float32(1.0) / values).astype(np.float32)
