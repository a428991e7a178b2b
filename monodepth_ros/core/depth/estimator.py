"""Depth estimation: uint8 RGB (N, H, W, 3) -> backend -> shared post-processing -> float32 (N, H, W) maps."""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.backends.base import DepthBackend
from monodepth_ros.core.depth.backends.registry import backend_class
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.postprocess import raw_to_depth, to_host
from monodepth_ros.core.depth.types import DepthKind, DepthPrediction, ModelOutput

LOGGER = logging.getLogger("monodepth_ros.estimator")


def create_backend(spec: ModelSpec, logger: logging.Logger = LOGGER) -> DepthBackend:
    """Instantiate the backend registered as ``spec.backend`` (imports only what that backend needs)."""
    return backend_class(spec.backend)(spec, logger)


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
        self._logger = logger
        self._non_finite_outputs = 0
        """Consecutive images whose raw model output held no finite value."""
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

    def predict(self, rgb: np.ndarray, intrinsics: Intrinsics | None = None,
                depth_range_m: tuple[float, float] | None = None) -> DepthPrediction:
        """Estimate depth for ``rgb`` uint8 (H, W, 3); see ``predict_batch``."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected uint8 RGB (H, W, 3), got {rgb.dtype} {rgb.shape}")
        return self.predict_batch(rgb[None], [intrinsics], depth_range_m)[0]

    def predict_batch(self, rgbs: np.ndarray | Sequence[np.ndarray],
                      intrinsics: Sequence[Intrinsics | None] | None = None,
                      depth_range_m: tuple[float, float] | None = None) -> list[DepthPrediction]:
        """Estimate depth for N images of one size: uint8 RGB (N, H, W, 3) or N arrays (H, W, 3).

        Returns one prediction per image, float32 (H, W): metres for metric models, relative inverse depth
        otherwise; NaN invalid, and for metric models NaN outside ``depth_range_m`` (min, max metres) when given.
        ``intrinsics`` (N entries) are required when the model has a canonical focal length. The batch runs
        through the model in one ``infer_batch`` call and is post-processed where the backend left it (on the
        GPU for torch models), then copied to the host once; each prediction carries that batch's stage timings.
        """
        images = _as_batch(rgbs)
        focal_ratios = self._focal_ratios(intrinsics, len(images))
        raw = self.backend.infer_batch(images)
        start = time.perf_counter()
        self._watch_output(_any_finite_per_image(raw.values))
        values = to_host(raw_to_depth(raw.values, self.output, self.spec.output_scale, focal_ratios,
                                      depth_range_m))
        timings = {"preprocess": raw.preprocess_ms, "inference": raw.inference_ms,
                   "postprocess": raw.resize_ms + (time.perf_counter() - start) * 1e3}
        return [DepthPrediction(depth, self.kind, dict(timings)) for depth in values]

    def _watch_output(self, finite_per_image: list[bool]) -> None:
        """Warn when the model starts giving outputs without any finite value (a broken model file, an overflow
        in fp16, a wrong output_scale), and once it gives finite ones again."""
        for finite in finite_per_image:
            if not finite:
                self._non_finite_outputs += 1
                if self._non_finite_outputs == 1:
                    self._logger.warning("the model output holds no finite value (all NaN or inf): depth is all "
                                         "NaN; check the model file, output_scale and precision (fp16 overflow)")
            elif self._non_finite_outputs:
                self._logger.info("the model output is finite again after %d images without a finite value",
                                  self._non_finite_outputs)
                self._non_finite_outputs = 0

    def _focal_ratios(self, intrinsics: Sequence[Intrinsics | None] | None, count: int) -> list[float] | None:
        """Real / canonical focal length per image; None when the model has no canonical focal length."""
        if self.spec.canonical_focal_px <= 0.0:
            return None
        if intrinsics is None or len(intrinsics) != count or any(entry is None for entry in intrinsics):
            raise ValueError("this model needs the camera's focal length (canonical_focal_px is set) "
                             "for every image")
        return [entry.focal_px / self.spec.canonical_focal_px for entry in intrinsics]


def _any_finite_per_image(values) -> list[bool]:
    """Whether each map of the raw batch (N, H, W), a numpy array or a torch tensor, holds a finite value."""
    if isinstance(values, np.ndarray):
        return np.isfinite(values.reshape(len(values), -1)).any(axis=1).tolist()
    import torch

    return torch.isfinite(values.reshape(values.shape[0], -1)).any(dim=1).tolist()


def _as_batch(rgbs: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """uint8 (N, H, W, 3), N >= 1, from an array of that shape or a sequence of (H, W, 3) arrays of one size."""
    if not isinstance(rgbs, np.ndarray):
        shapes = sorted({np.shape(rgb) for rgb in rgbs})
        if len(shapes) > 1:
            raise ValueError(f"a batch needs images of one size, got shapes {shapes}")
        if not shapes:
            raise ValueError("a batch needs at least one image")
        rgbs = np.stack(rgbs)
    if rgbs.ndim != 4 or rgbs.shape[3] != 3 or rgbs.dtype != np.uint8 or len(rgbs) == 0:
        raise ValueError(f"expected uint8 RGB (N, H, W, 3) with N >= 1, got {rgbs.dtype} {rgbs.shape}")
    return rgbs
