"""OnnxBackend through DepthEstimator on tiny exported models."""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
from monodepth_ros.core.depth.estimator import DepthEstimator  # noqa: E402
from monodepth_ros.core.depth.model_spec import ModelSpec  # noqa: E402
from monodepth_ros.core.depth.types import DepthKind  # noqa: E402

LOGGER = logging.getLogger("test_onnx_backend")
CHANNEL_WEIGHTS = (1.0, 10.0, 100.0)
OFFSET = 500.0
FIXED_HEIGHT, FIXED_WIDTH = 32, 48
COLOUR = (200, 100, 50)


class ChannelMix(torch.nn.Module):
    """depth (N, 1, H, W) = OFFSET + sum_c CHANNEL_WEIGHTS[c] * image[:, c]; the weights reveal RGB order."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        image = image.float()
        return (OFFSET + CHANNEL_WEIGHTS[0] * image[:, 0:1] + CHANNEL_WEIGHTS[1] * image[:, 1:2]
                + CHANNEL_WEIGHTS[2] * image[:, 2:3])


def expected_raw(colour=COLOUR, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0)) -> float:
    """ChannelMix's output for a uniform RGB ``colour`` normalised as (value / 255 - mean) / std."""
    normalised = [(value / 255.0 - m) / s for value, m, s in zip(colour, mean, std)]
    return OFFSET + sum(w * n for w, n in zip(CHANNEL_WEIGHTS, normalised))


def _export(path, example: torch.Tensor, dynamic: bool) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(ChannelMix(), (example,), str(path), input_names=["image"], output_names=["depth"],
                          dynamic_axes={"image": {2: "height", 3: "width"}} if dynamic else None,
                          dynamo=False)
    return str(path)


@pytest.fixture(scope="module")
def onnx_models(tmp_path_factory) -> dict[str, str]:
    """Paths of ChannelMix exported with a fixed 32x48 input, a dynamic H x W input and an fp16 input."""
    root = tmp_path_factory.mktemp("onnx_models")
    fixed = torch.zeros(1, 3, FIXED_HEIGHT, FIXED_WIDTH)
    return {
        "fixed": _export(root / "fixed.onnx", fixed, dynamic=False),
        "dynamic": _export(root / "dynamic.onnx", fixed, dynamic=True),
        "fp16_input": _export(root / "fp16_input.onnx", fixed.half(), dynamic=False),
    }


def _estimator(path: str, **spec_fields) -> DepthEstimator:
    spec_fields.setdefault("output", "metric_depth")
    spec_fields.setdefault("device", "cpu")
    return DepthEstimator(ModelSpec(backend="onnx", model=path, **spec_fields), LOGGER)


def uniform_image(height: int = 30, width: int = 50, colour=COLOUR) -> np.ndarray:
    """uint8 RGB (height, width, 3) of one colour."""
    return np.broadcast_to(np.asarray(colour, dtype=np.uint8), (height, width, 3)).copy()


def test_fixed_size_model_predicts_at_the_input_resolution(onnx_models):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)
    estimator = _estimator(onnx_models["fixed"])
    raw = estimator.backend.infer(rgb)
    prediction = estimator.predict(rgb)
    assert raw.values.shape == (FIXED_HEIGHT, FIXED_WIDTH)
    assert prediction.values.shape == (30, 50)
    assert prediction.values.dtype == np.float32
    assert prediction.kind is DepthKind.METRIC
    assert estimator.device == "CPUExecutionProvider"
    assert estimator.description == f"onnx:fixed.onnx {FIXED_WIDTH}x{FIXED_HEIGHT}"


def test_uniform_image_gives_the_exact_raw_value(onnx_models):
    values = _estimator(onnx_models["fixed"]).predict(uniform_image()).values
    np.testing.assert_allclose(values, expected_raw(), rtol=1e-6)


def test_mean_and_std_normalise_each_rgb_channel(onnx_models):
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    values = _estimator(onnx_models["fixed"], mean=mean, std=std).predict(uniform_image()).values
    np.testing.assert_allclose(values, expected_raw(mean=mean, std=std), rtol=1e-5)
    bgr_value = expected_raw(colour=COLOUR[::-1], mean=mean, std=std)
    assert not np.isclose(bgr_value, expected_raw(mean=mean, std=std)), "the check must tell RGB from BGR"


def test_relative_inverse_output_is_passed_through(onnx_models):
    estimator = _estimator(onnx_models["fixed"], output="relative_inverse_depth")
    prediction = estimator.predict(uniform_image())
    assert estimator.kind is DepthKind.RELATIVE_INVERSE
    assert prediction.kind is DepthKind.RELATIVE_INVERSE
    np.testing.assert_allclose(prediction.values, expected_raw(), rtol=1e-6)


def test_metric_inverse_depth_is_inverted(onnx_models):
    prediction = _estimator(onnx_models["fixed"], output="metric_inverse_depth").predict(uniform_image())
    assert prediction.kind is DepthKind.METRIC
    np.testing.assert_allclose(prediction.values, 1.0 / expected_raw(), rtol=1e-6)


def test_output_scale_multiplies_the_raw_output(onnx_models):
    values = _estimator(onnx_models["fixed"], output_scale=0.001).predict(uniform_image()).values
    np.testing.assert_allclose(values, 0.001 * expected_raw(), rtol=1e-6)
    inverse = _estimator(onnx_models["fixed"], output="metric_inverse_depth", output_scale=0.5)
    np.testing.assert_allclose(inverse.predict(uniform_image()).values, 1.0 / (0.5 * expected_raw()),
                               rtol=1e-6)


def test_dynamic_model_runs_at_the_requested_input_size(onnx_models):
    estimator = _estimator(onnx_models["dynamic"], input_size=(16, 24))
    rgb = uniform_image(30, 50)
    assert estimator.backend.infer(rgb).values.shape == (16, 24)
    prediction = estimator.predict(rgb)
    assert prediction.values.shape == (30, 50)
    np.testing.assert_allclose(prediction.values, expected_raw(), rtol=1e-6)


def test_dynamic_model_without_input_size_is_refused(onnx_models):
    with pytest.raises(ValueError, match="dynamic input size; set input_size"):
        _estimator(onnx_models["dynamic"])


def test_fixed_model_refuses_a_different_input_size(onnx_models):
    with pytest.raises(ValueError, match="fixed input size 32x48"):
        _estimator(onnx_models["fixed"], input_size=(64, 64))
    assert _estimator(onnx_models["fixed"], input_size=(FIXED_HEIGHT, FIXED_WIDTH)).predict(uniform_image()) \
        .values.shape == (30, 50)


def test_fp16_input_model_is_fed_half_precision(onnx_models):
    session = ort.InferenceSession(onnx_models["fp16_input"], providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(float16)"
    estimator = _estimator(onnx_models["fp16_input"])
    values = estimator.predict(uniform_image()).values
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, expected_raw(), rtol=2e-3)


def test_auto_output_asks_for_an_explicit_setting(onnx_models):
    with pytest.raises(ValueError, match="set output to one of metric_depth"):
        _estimator(onnx_models["fixed"], output="auto")


def test_missing_model_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.onnx"):
        _estimator(str(tmp_path / "missing.onnx"))


@pytest.mark.skipif("CUDAExecutionProvider" in ort.get_available_providers(),
                    reason="checks the fallback where ONNX Runtime has no CUDA provider")
def test_cuda_request_without_cuda_provider_runs_on_cpu_with_a_warning(onnx_models, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        estimator = _estimator(onnx_models["fixed"], device="cuda")
    assert estimator.device == "CPUExecutionProvider"
    assert any("no CUDA/TensorRT provider" in record.getMessage() for record in caplog.records)
    np.testing.assert_allclose(estimator.predict(uniform_image()).values, expected_raw(), rtol=1e-6)
