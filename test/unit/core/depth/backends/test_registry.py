"""Backends are chosen by registered name and imported only when one is built."""
from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from monodepth_ros.core.depth.backends import registry
from monodepth_ros.core.depth.estimator import create_backend
from monodepth_ros.core.depth.model_spec import ModelSpec


def test_built_in_backends_are_registered_in_order():
    assert registry.backend_names() == ("fastdepth", "onnx", "hf")


def test_unknown_backend_is_rejected_with_the_known_names():
    with pytest.raises(ValueError, match=r"unknown backend 'midas'; expected one of fastdepth, onnx, hf"):
        ModelSpec(backend="midas")
    with pytest.raises(ValueError, match=r"unknown backend 'midas'; expected one of fastdepth, onnx, hf"):
        registry.backend_class("midas")


def test_a_registered_backend_is_accepted_by_the_spec_and_built_by_name(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "_BACKENDS", dict(registry._BACKENDS))
    registry.register_backend("onnx_file", "monodepth_ros.core.depth.backends.onnx_backend", "OnnxBackend")
    assert registry.backend_names()[-1] == "onnx_file"
    spec = ModelSpec(backend="onnx_file", model=str(tmp_path / "absent.onnx"), output="metric_depth")
    with pytest.raises(FileNotFoundError, match="absent.onnx"):
        create_backend(spec, logging.getLogger("test_registry"))
    with pytest.raises(ValueError, match="already registered"):
        registry.register_backend("onnx", "elsewhere", "OtherBackend")


def _modules_after(code: str) -> set[str]:
    """Names of the heavy modules (torch, onnxruntime, transformers) imported after running ``code``."""
    probe = code + "\nimport sys\nprint(*(m for m in ('torch', 'onnxruntime', 'transformers') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(result.stdout.split())


def test_listing_and_validating_backends_imports_no_framework():
    assert _modules_after("from monodepth_ros.core.depth.estimator import DepthEstimator\n"
                          "from monodepth_ros.core.depth.model_spec import ModelSpec\n"
                          "from monodepth_ros.core.depth.backends.registry import backend_names\n"
                          "ModelSpec(backend='hf', model='x'); backend_names()") == set()


def test_a_backend_imports_its_framework_only_when_its_class_is_asked_for():
    load = "from monodepth_ros.core.depth.backends.registry import backend_class\n"
    assert _modules_after(load + "backend_class('fastdepth'); backend_class('onnx')") == set()
    pytest.importorskip("torch")
    assert "torch" in _modules_after(load + "backend_class('hf')")
