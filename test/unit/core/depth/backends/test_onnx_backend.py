"""OnnxBackend through DepthEstimator on tiny exported models: fixed, dynamic and batched inputs."""
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
from monodepth_ros.testing.onnx_session import recorded_inputs  # noqa: E402

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


def _export(path, example: torch.Tensor, dynamic: bool, dynamic_batch: bool = False) -> str:
    """ChannelMix as ONNX; ``dynamic``: any H x W; ``dynamic_batch``: any N; else the example's shape."""
    axes = {**({0: "batch"} if dynamic_batch else {}), **({2: "height", 3: "width"} if dynamic else {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(ChannelMix(), (example,), str(path), input_names=["image"], output_names=["depth"],
                          dynamic_axes={"image": axes, "depth": axes} if axes else None, dynamo=False)
    return str(path)


@pytest.fixture(scope="module")
def onnx_models(tmp_path_factory) -> dict[str, str]:
    """Paths of ChannelMix exported with a fixed 32x48 input (batch 1 or 2), a dynamic H x W input (batch 1 or
    dynamic) and an fp16 input."""
    root = tmp_path_factory.mktemp("onnx_models")
    fixed = torch.zeros(1, 3, FIXED_HEIGHT, FIXED_WIDTH)
    return {
        "fixed": _export(root / "fixed.onnx", fixed, dynamic=False),
        "fixed_batch_2": _export(root / "fixed_batch_2.onnx", fixed.expand(2, -1, -1, -1), dynamic=False),
        "dynamic": _export(root / "dynamic.onnx", fixed, dynamic=True),
        "dynamic_batch": _export(root / "dynamic_batch.onnx", fixed, dynamic=True, dynamic_batch=True),
        "fp16_input": _export(root / "fp16_input.onnx", fixed.half(), dynamic=False),
    }


def _estimator(path: str, device: str, **spec_fields) -> DepthEstimator:
    spec_fields.setdefault("output", "metric_depth")
    return DepthEstimator(ModelSpec(backend="onnx", model=path, device=device, **spec_fields), LOGGER)


def expected_provider(device: str) -> str:
    """The first ONNX Runtime execution provider ``onnx_providers`` picks for ``device`` here."""
    if device == "cpu":
        return "CPUExecutionProvider"
    available = ort.get_available_providers()
    return "TensorrtExecutionProvider" if "TensorrtExecutionProvider" in available else "CUDAExecutionProvider"


def random_images(count: int, height: int = 30, width: int = 50, seed: int = 0) -> np.ndarray:
    """uint8 RGB (count, height, width, 3) of noise, a different image each."""
    return np.random.default_rng(seed).integers(0, 256, (count, height, width, 3), dtype=np.uint8)


def uniform_image(height: int = 30, width: int = 50, colour=COLOUR) -> np.ndarray:
    """uint8 RGB (height, width, 3) of one colour."""
    return np.broadcast_to(np.asarray(colour, dtype=np.uint8), (height, width, 3)).copy()


def test_fixed_size_model_predicts_at_the_input_resolution(onnx_models, onnx_device):
    rgb = random_images(1)[0]
    estimator = _estimator(onnx_models["fixed"], onnx_device)
    with recorded_inputs(estimator.backend) as network_inputs:
        raw = estimator.backend.infer_batch(rgb[None])
        prediction = estimator.predict(rgb)
    assert network_inputs == [(1, 3, FIXED_HEIGHT, FIXED_WIDTH)] * 2
    assert isinstance(raw.values, np.ndarray if estimator.backend.preprocessing == "host" else torch.Tensor)
    assert tuple(raw.values.shape) == (1, 30, 50)
    assert prediction.values.shape == (30, 50)
    assert prediction.values.dtype == np.float32
    assert prediction.kind is DepthKind.METRIC
    assert estimator.device == expected_provider(onnx_device)
    assert estimator.description == f"onnx:fixed.onnx {FIXED_WIDTH}x{FIXED_HEIGHT}"
    assert set(prediction.timings_ms) == {"preprocess", "inference", "postprocess"}


def test_uniform_image_gives_the_exact_raw_value(onnx_models, onnx_device):
    values = _estimator(onnx_models["fixed"], onnx_device).predict(uniform_image()).values
    np.testing.assert_allclose(values, expected_raw(), rtol=1e-6)


def test_mean_and_std_normalise_each_rgb_channel(onnx_models, onnx_device):
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    values = _estimator(onnx_models["fixed"], onnx_device, mean=mean, std=std).predict(uniform_image()).values
    np.testing.assert_allclose(values, expected_raw(mean=mean, std=std), rtol=1e-5)
    bgr_value = expected_raw(colour=COLOUR[::-1], mean=mean, std=std)
    assert not np.isclose(bgr_value, expected_raw(mean=mean, std=std)), "the check must tell RGB from BGR"


def test_relative_inverse_output_is_passed_through(onnx_models, onnx_device):
    estimator = _estimator(onnx_models["fixed"], onnx_device, output="relative_inverse_depth")
    prediction = estimator.predict(uniform_image())
    assert estimator.kind is DepthKind.RELATIVE_INVERSE
    assert prediction.kind is DepthKind.RELATIVE_INVERSE
    np.testing.assert_allclose(prediction.values, expected_raw(), rtol=1e-6)


def test_metric_inverse_depth_is_inverted(onnx_models, onnx_device):
    prediction = _estimator(onnx_models["fixed"], onnx_device, output="metric_inverse_depth").predict(
        uniform_image())
    assert prediction.kind is DepthKind.METRIC
    np.testing.assert_allclose(prediction.values, 1.0 / expected_raw(), rtol=1e-6)


def test_output_scale_multiplies_the_raw_output(onnx_models, onnx_device):
    values = _estimator(onnx_models["fixed"], onnx_device, output_scale=0.001).predict(uniform_image()).values
    np.testing.assert_allclose(values, 0.001 * expected_raw(), rtol=1e-6)
    inverse = _estimator(onnx_models["fixed"], onnx_device, output="metric_inverse_depth", output_scale=0.5)
    np.testing.assert_allclose(inverse.predict(uniform_image()).values, 1.0 / (0.5 * expected_raw()),
                               rtol=1e-6)


def test_dynamic_model_runs_at_the_requested_input_size(onnx_models, onnx_device):
    estimator = _estimator(onnx_models["dynamic"], onnx_device, input_size=(16, 24))
    with recorded_inputs(estimator.backend) as network_inputs:
        prediction = estimator.predict(uniform_image(30, 50))
    assert network_inputs == [(1, 3, 16, 24)]
    assert prediction.values.shape == (30, 50)
    np.testing.assert_allclose(prediction.values, expected_raw(), rtol=1e-6)


def test_dynamic_model_without_input_size_is_refused(onnx_models, onnx_device):
    with pytest.raises(ValueError, match="dynamic input size; set input_size"):
        _estimator(onnx_models["dynamic"], onnx_device)


def test_fixed_model_refuses_a_different_input_size(onnx_models, onnx_device):
    with pytest.raises(ValueError, match="fixed input size 32x48"):
        _estimator(onnx_models["fixed"], onnx_device, input_size=(64, 64))
    estimator = _estimator(onnx_models["fixed"], onnx_device, input_size=(FIXED_HEIGHT, FIXED_WIDTH))
    assert estimator.predict(uniform_image()).values.shape == (30, 50)


def test_fp16_input_model_is_fed_half_precision(onnx_models, onnx_device):
    session = ort.InferenceSession(onnx_models["fp16_input"], providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(float16)"
    estimator = _estimator(onnx_models["fp16_input"], onnx_device)
    values = estimator.predict(uniform_image()).values
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, expected_raw(), rtol=2e-3)


def test_auto_output_asks_for_an_explicit_setting(onnx_models, onnx_device):
    with pytest.raises(ValueError, match="set output to one of metric_depth"):
        _estimator(onnx_models["fixed"], onnx_device, output="auto")


def test_missing_model_file_raises_file_not_found(tmp_path, onnx_device):
    with pytest.raises(FileNotFoundError, match="missing.onnx"):
        _estimator(str(tmp_path / "missing.onnx"), onnx_device)


@pytest.mark.skipif("CUDAExecutionProvider" in ort.get_available_providers(),
                    reason="checks the fallback where ONNX Runtime has no CUDA provider")
def test_cuda_request_without_cuda_provider_runs_on_cpu_with_a_warning(onnx_models, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        estimator = _estimator(onnx_models["fixed"], "cuda")
    assert estimator.device == "CPUExecutionProvider"
    assert any("no CUDA/TensorRT provider" in record.getMessage() for record in caplog.records)
    np.testing.assert_allclose(estimator.predict(uniform_image()).values, expected_raw(), rtol=1e-6)


@pytest.mark.parametrize("name, input_size, network_inputs", [
    ("dynamic_batch", (16, 24), [(3, 3, 16, 24)]),
    ("fixed", (0, 0), [(1, 3, FIXED_HEIGHT, FIXED_WIDTH)] * 3),
    ("fixed_batch_2", (0, 0), [(2, 3, FIXED_HEIGHT, FIXED_WIDTH)] * 2),
])
def test_a_batch_gives_the_depth_of_single_calls(onnx_models, onnx_device, name, input_size, network_inputs):
    """A dynamic batch runs in one call; a fixed batch B runs B images at a time, the last call padded."""
    images = random_images(3)
    estimator = _estimator(onnx_models[name], onnx_device, input_size=input_size, output="metric_inverse_depth")
    singles = [estimator.predict(rgb).values for rgb in images]
    with recorded_inputs(estimator.backend) as recorded:
        batch = estimator.predict_batch(images)
    assert recorded == network_inputs
    assert len(batch) == 3
    for prediction, single in zip(batch, singles):
        assert prediction.values.shape == (30, 50)
        np.testing.assert_allclose(prediction.values, single, rtol=1e-6)
    assert not np.allclose(singles[0], singles[1]), "the images must differ, else mixing them up goes unseen"


PATHS = ["host", "device"]


@pytest.mark.parametrize("preprocess", PATHS)
def test_both_paths_give_the_exact_raw_value_of_a_normalised_uniform_image(onnx_models, onnx_device, preprocess):
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    for name, input_size in (("fixed", (0, 0)), ("dynamic", (16, 24)), ("fixed_batch_2", (0, 0))):
        estimator = _estimator(onnx_models[name], onnx_device, mean=mean, std=std, input_size=input_size,
                               preprocess=preprocess)
        assert estimator.backend.preprocessing == preprocess
        values = estimator.predict(uniform_image()).values
        assert values.shape == (30, 50) and values.dtype == np.float32
        np.testing.assert_allclose(values, expected_raw(mean=mean, std=std), rtol=1e-5)


@pytest.mark.parametrize("name, input_size, network_inputs", [
    ("dynamic_batch", (16, 24), [(3, 3, 16, 24)]),
    ("fixed", (0, 0), [(1, 3, FIXED_HEIGHT, FIXED_WIDTH)] * 3),
    ("fixed_batch_2", (0, 0), [(2, 3, FIXED_HEIGHT, FIXED_WIDTH)] * 2),
])
def test_device_path_gives_the_depth_of_the_host_path(onnx_models, onnx_device, name, input_size, network_inputs):
    """Same batching; OpenCV's 8-bit resize and the device's differ by at most one grey level per pixel, which
    moves ChannelMix by at most sum(CHANNEL_WEIGHTS) / 255."""
    images = random_images(3)
    host = _estimator(onnx_models[name], onnx_device, input_size=input_size, preprocess="host")
    on_device = _estimator(onnx_models[name], onnx_device, input_size=input_size, preprocess="device")
    with recorded_inputs(on_device.backend) as recorded:
        raw = on_device.backend.infer_batch(images)
        batch = on_device.predict_batch(images)
    assert recorded == network_inputs * 2
    assert isinstance(raw.values, torch.Tensor) and raw.values.dtype == torch.float32
    assert raw.values.device.type == ("cpu" if onnx_device == "cpu" else "cuda")
    one_grey_level = sum(CHANNEL_WEIGHTS) / 255.0
    for prediction, reference in zip(batch, host.predict_batch(images)):
        np.testing.assert_allclose(prediction.values, reference.values, rtol=0.0, atol=one_grey_level + 1e-3)


def test_auto_preprocessing_stays_on_the_host_on_the_cpu_provider(onnx_models):
    assert _estimator(onnx_models["fixed"], "cpu").backend.preprocessing == "host"


def test_fp16_input_model_on_the_device_path(onnx_models, onnx_device):
    estimator = _estimator(onnx_models["fp16_input"], onnx_device, preprocess="device")
    np.testing.assert_allclose(estimator.predict(uniform_image()).values, expected_raw(), rtol=2e-3)


def test_bf16_is_refused_with_a_warning_and_runs_fp32(onnx_models, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        estimator = _estimator(onnx_models["fixed"], "cpu", precision="bf16")
    assert any("bf16 ignored" in record.getMessage() for record in caplog.records)
    np.testing.assert_allclose(estimator.predict(uniform_image()).values, expected_raw(), rtol=1e-6)


@pytest.fixture(scope="module")
def exported_like(onnx_models, tmp_path_factory) -> str:
    """The dynamic ChannelMix with the metadata monodepth-export writes: 16x24 input, ImageNet normalisation,
    relative inverse depth."""
    import onnx

    from monodepth_ros.core.depth.backends.onnx_metadata import ExportMetadata
    from monodepth_ros.core.depth.types import ModelOutput

    model = onnx.load(onnx_models["dynamic_batch"])
    metadata = ExportMetadata((16, 24), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225),
                              ModelOutput.RELATIVE_INVERSE_DEPTH, "channel_mix")
    for key, value in metadata.to_properties().items():
        model.metadata_props.add(key=key, value=value)
    path = tmp_path_factory.mktemp("exported") / "with_metadata.onnx"
    onnx.save(model, str(path))
    return str(path)


def test_metadata_supplies_input_size_normalisation_and_output(exported_like, onnx_device):
    estimator = DepthEstimator(ModelSpec(backend="onnx", model=exported_like, device=onnx_device), LOGGER)
    assert estimator.kind is DepthKind.RELATIVE_INVERSE
    assert estimator.description == "onnx:with_metadata.onnx channel_mix 24x16"
    with recorded_inputs(estimator.backend) as network_inputs:
        values = estimator.predict(uniform_image()).values
    assert network_inputs == [(1, 3, 16, 24)]
    np.testing.assert_allclose(values, expected_raw(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
                               rtol=1e-5)


def test_settings_in_the_spec_win_over_the_metadata(exported_like, onnx_device):
    estimator = _estimator(exported_like, onnx_device, input_size=(8, 12), mean=(0.0, 0.0, 0.0),
                           std=(2.0, 2.0, 2.0))
    assert estimator.kind is DepthKind.METRIC
    with recorded_inputs(estimator.backend) as network_inputs:
        values = estimator.predict(uniform_image()).values
    assert network_inputs == [(1, 3, 8, 12)]
    np.testing.assert_allclose(values, expected_raw(std=(2.0, 2.0, 2.0)), rtol=1e-5)


def test_malformed_metadata_is_named(onnx_models, tmp_path):
    import onnx

    model = onnx.load(onnx_models["fixed"])
    model.metadata_props.add(key="monodepth_ros.output", value="relative_inverse_depth")
    model.metadata_props.add(key="monodepth_ros.input_size", value="32")
    path = tmp_path / "malformed.onnx"
    onnx.save(model, str(path))
    with pytest.raises(ValueError, match="malformed monodepth_ros metadata"):
        _estimator(str(path), "cpu")

