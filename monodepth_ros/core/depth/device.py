"""Resolve a requested compute device ('auto', 'cpu', 'cuda', 'cuda:N') to what exists here."""
from __future__ import annotations

import logging
import re
from pathlib import Path

DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def validate_device(requested: str) -> str | None:
    """Return an error message for a malformed device string, else None."""
    if DEVICE_PATTERN.match(requested):
        return None
    return f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got '{requested}'"


def resolve_torch_device(requested: str, logger: logging.Logger) -> str:
    """Pick the torch device; falls back to 'cpu' with a warning when CUDA is asked for but absent."""
    error = validate_device(requested)
    if error:
        raise ValueError(error)
    if requested == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        if requested == "auto":
            return "cuda:0"
        index = int(requested.split(":")[1]) if ":" in requested else 0
        if index < torch.cuda.device_count():
            return f"cuda:{index}"
        logger.warning("device '%s' does not exist (%d CUDA devices); using cpu", requested,
                       torch.cuda.device_count())
        return "cpu"
    if requested != "auto":
        logger.warning("device '%s' requested but CUDA is not available in this torch build; using cpu",
                       requested)
    return "cpu"


def tensorrt_engine_cache() -> Path:
    """Folder of built TensorRT engines (building one takes minutes; they are reused across runs)."""
    from monodepth_ros.core.depth.weights_cache import cache_dir

    return cache_dir() / "tensorrt"


def onnx_providers(requested: str, fp16: bool, available: list[str], logger: logging.Logger
                   ) -> list[str | tuple[str, dict]]:
    """ONNX Runtime execution providers for the requested device, best first.

    On CUDA devices TensorRT is preferred (fp16 engines when ``fp16``), then CUDA, then CPU.
    """
    error = validate_device(requested)
    if error:
        raise ValueError(error)
    providers: list[str | tuple[str, dict]] = []
    if requested != "cpu":
        device_id = int(requested.split(":")[1]) if ":" in requested else 0
        if "TensorrtExecutionProvider" in available:
            providers.append(("TensorrtExecutionProvider",
                              {"device_id": device_id, "trt_fp16_enable": fp16, "trt_engine_cache_enable": True,
                               "trt_engine_cache_path": str(tensorrt_engine_cache())}))
        if "CUDAExecutionProvider" in available:
            providers.append(("CUDAExecutionProvider", {"device_id": device_id}))
        if not providers and requested != "auto":
            logger.warning("device '%s' requested but ONNX Runtime has no CUDA/TensorRT provider "
                           "(install onnxruntime-gpu); using cpu", requested)
    if fp16 and not providers:
        logger.warning("fp16 ignored: the ONNX CPU execution provider runs fp32")
    providers.append("CPUExecutionProvider")
    return providers
