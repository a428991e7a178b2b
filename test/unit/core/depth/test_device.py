"""Device selection for torch and ONNX Runtime execution providers."""
from __future__ import annotations

import logging

import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
from monodepth_ros.core.depth.device import onnx_providers, resolve_torch_device, tensorrt_engine_cache, validate_device  # noqa: E402

LOGGER = logging.getLogger("test_onnx_backend")


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:0", "cuda:12"])
def test_validate_device_accepts_known_devices(device):
    assert validate_device(device) is None


@pytest.mark.parametrize("device", ["", "gpu", "CUDA", "cuda:", "cuda:x", "cpu:0", "cuda0", " cpu"])
def test_validate_device_explains_malformed_devices(device):
    message = validate_device(device)
    assert message is not None and f"got '{device}'" in message


def test_resolve_torch_device_refuses_malformed_devices():
    assert resolve_torch_device("cpu", LOGGER) == "cpu"
    with pytest.raises(ValueError, match="device must be"):
        resolve_torch_device("gpu0", LOGGER)


ALL_PROVIDERS = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


@pytest.mark.parametrize("device, device_id", [("cuda:1", 1), ("cuda", 0), ("auto", 0)])
def test_onnx_providers_prefer_tensorrt_then_cuda_then_cpu(device, device_id):
    providers = onnx_providers(device, True, ALL_PROVIDERS, LOGGER)
    assert providers == [
        ("TensorrtExecutionProvider", {"device_id": device_id, "trt_fp16_enable": True,
                                       "trt_engine_cache_enable": True,
                                       "trt_engine_cache_path": str(tensorrt_engine_cache())}),
        ("CUDAExecutionProvider", {"device_id": device_id}),
        "CPUExecutionProvider",
    ]
    assert onnx_providers(device, False, ALL_PROVIDERS, LOGGER)[0][1]["trt_fp16_enable"] is False


def test_onnx_providers_skip_missing_accelerators(caplog):
    assert onnx_providers("cuda", False, ["CUDAExecutionProvider", "CPUExecutionProvider"], LOGGER) == [
        ("CUDAExecutionProvider", {"device_id": 0}), "CPUExecutionProvider"]
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        assert onnx_providers("cpu", False, ALL_PROVIDERS, LOGGER) == ["CPUExecutionProvider"]
        assert onnx_providers("auto", False, ["CPUExecutionProvider"], LOGGER) == ["CPUExecutionProvider"]
    assert not caplog.records, "choosing the CPU, or 'auto' on a CPU-only machine, is not worth a warning"


def test_onnx_providers_warn_when_cuda_or_fp16_cannot_be_honoured(caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        assert onnx_providers("cuda:0", True, ["CPUExecutionProvider"], LOGGER) == ["CPUExecutionProvider"]
    messages = [record.getMessage() for record in caplog.records]
    assert any("no CUDA/TensorRT provider" in message for message in messages)
    assert any("fp16 ignored" in message for message in messages)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        assert onnx_providers("cpu", True, ALL_PROVIDERS, LOGGER) == ["CPUExecutionProvider"]
    assert [record.getMessage() for record in caplog.records] == [
        "fp16 ignored: the ONNX CPU execution provider runs fp32"]


def test_onnx_providers_refuse_malformed_devices():
    with pytest.raises(ValueError, match="device must be"):
        onnx_providers("tensorrt", False, ALL_PROVIDERS, LOGGER)
