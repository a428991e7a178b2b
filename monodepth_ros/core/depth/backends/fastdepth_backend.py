"""The embedded default model: FastDepth (NYU Depth v2, indoor), metric depth in metres, network 224x224."""
from __future__ import annotations

import logging
from pathlib import Path

from monodepth_ros.core.depth.backends.onnx_backend import OnnxBackend
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import ModelOutput


class FastDepthBackend(OnnxBackend):
    """FastDepth through ONNX Runtime; its file has a fixed batch of 1, so a batch runs image by image."""

    native_output = ModelOutput.METRIC_DEPTH

    def __init__(self, spec: ModelSpec, logger: logging.Logger) -> None:
        from monodepth_ros.core.depth.weights_cache import fastdepth_model_path, is_known_fastdepth_file

        path = Path(spec.model) if spec.model else fastdepth_model_path()
        if spec.model:
            if not path.is_file():
                raise FileNotFoundError(f"fastdepth model file not found: {path}")
            if not is_known_fastdepth_file(path):
                logger.warning("model %s is not the FastDepth file this package verifies (SHA-256 differs): it is "
                               "used as given, unchecked", path)
        super().__init__(spec, logger, model_path=path)
        self.description = f"fastdepth ({path.name})"
