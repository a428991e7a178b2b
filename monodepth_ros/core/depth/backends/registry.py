"""Depth backends by name, imported only when used (listing them imports neither torch nor onnxruntime)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from monodepth_ros.core.depth.backends.base import DepthBackend


@dataclass(frozen=True)
class BackendEntry:
    """Where a backend class lives: ``module`` is imported and ``class_name`` read on first use."""

    name: str
    module: str
    class_name: str


_BACKENDS: dict[str, BackendEntry] = {}


def register_backend(name: str, module: str, class_name: str) -> None:
    """Make ``name`` selectable as ``ModelSpec.backend``; its class takes (spec, logger)."""
    if name in _BACKENDS:
        raise ValueError(f"backend '{name}' is already registered ({_BACKENDS[name].module})")
    _BACKENDS[name] = BackendEntry(name, module, class_name)


def backend_names() -> tuple[str, ...]:
    """Registered backend names, in registration order."""
    return tuple(_BACKENDS)


def backend_class(name: str) -> type[DepthBackend]:
    """The class registered as ``name``, importing its module now."""
    entry = _BACKENDS.get(name)
    if entry is None:
        raise ValueError(f"unknown backend '{name}'; expected one of {', '.join(_BACKENDS)}")
    return getattr(importlib.import_module(entry.module), entry.class_name)


register_backend("fastdepth", "monodepth_ros.core.depth.backends.fastdepth_backend", "FastDepthBackend")
register_backend("onnx", "monodepth_ros.core.depth.backends.onnx_backend", "OnnxBackend")
register_backend("hf", "monodepth_ros.core.depth.backends.hf_backend", "HuggingFaceBackend")
