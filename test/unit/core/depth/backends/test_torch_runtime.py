"""torch_runtime: precision choice, uploads, and the eager / compiled / CUDA-graph forward pass."""
from __future__ import annotations

import logging

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from monodepth_ros.core.depth.backends.torch_runtime import (  # noqa: E402
    HostToDevice,
    NetworkRunner,
    in_float32,
    torch_dtype_for,
)

LOGGER = logging.getLogger("test_torch_runtime")


class Doubler(torch.nn.Module):
    """A stand-in network with a transformers-like output: predicted_depth (N, H, W) = 2 * the first channel."""

    def forward(self, pixel_values: torch.Tensor):
        from transformers.modeling_outputs import DepthEstimatorOutput

        return DepthEstimatorOutput(predicted_depth=2.0 * pixel_values[:, 0])


def test_precisions_map_to_dtypes_where_the_device_runs_them(caplog):
    assert torch_dtype_for("fp32", "cpu", LOGGER) == torch.float32
    assert torch_dtype_for("bf16", "cpu", LOGGER) == torch.bfloat16
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        assert torch_dtype_for("fp16", "cpu", LOGGER) == torch.float32
    assert [record.getMessage() for record in caplog.records] == [
        "fp16 ignored: half precision runs on CUDA only; using fp32 on cpu"]


def test_cuda_precisions(device):
    if device == "cpu":
        pytest.skip("needs --device cuda")
    assert torch_dtype_for("fp16", device, LOGGER) == torch.float16
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    assert torch_dtype_for("bf16", device, LOGGER) == expected


def test_upload_gives_the_images_on_the_device_and_reuses_its_buffer(device):
    upload = HostToDevice(device)
    rng = np.random.default_rng(0)
    for _ in range(3):
        images = rng.integers(0, 256, (2, 5, 7, 3), dtype=np.uint8)
        on_device = upload(images)
        assert on_device.device.type == torch.device(device).type
        np.testing.assert_array_equal(on_device.cpu().numpy(), images)
    read_only = rng.integers(0, 256, (1, 5, 7, 3), dtype=np.uint8)
    read_only.flags.writeable = False
    np.testing.assert_array_equal(upload(read_only).cpu().numpy(), read_only)


def test_output_in_float32_converts_only_reduced_precision():
    from transformers.modeling_outputs import DepthEstimatorOutput

    full = DepthEstimatorOutput(predicted_depth=torch.ones(1, 2, 2))
    assert in_float32(full) is full
    half = in_float32(DepthEstimatorOutput(predicted_depth=torch.ones(1, 2, 2, dtype=torch.bfloat16)))
    assert half.predicted_depth.dtype == torch.float32


def test_runner_modes_follow_the_options_and_the_device(caplog):
    model = Doubler()
    assert NetworkRunner(model, "cpu", False, False, LOGGER).mode == "eager"
    assert NetworkRunner(model, "cpu", True, False, LOGGER).mode == "compiled"
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        assert NetworkRunner(model, "cpu", False, True, LOGGER).mode == "eager"
    assert "cuda_graphs ignored" in caplog.records[0].getMessage()
    pixel_values = torch.rand(2, 3, 4, 5)
    with torch.inference_mode():
        outputs = NetworkRunner(model, "cpu", False, False, LOGGER)(pixel_values)
    torch.testing.assert_close(outputs.predicted_depth, 2.0 * pixel_values[:, 0])


def test_cuda_graph_replays_follow_new_inputs(device):
    if device == "cpu":
        pytest.skip("CUDA graphs need --device cuda")
    runner = NetworkRunner(Doubler().to(device), device, False, True, LOGGER)
    assert runner.mode == "cuda_graphs"
    with torch.inference_mode():
        for seed in range(3):
            pixel_values = torch.rand(2, 3, 4, 5, device=device, generator=torch.Generator(device).manual_seed(seed))
            torch.testing.assert_close(runner(pixel_values).predicted_depth, 2.0 * pixel_values[:, 0])
