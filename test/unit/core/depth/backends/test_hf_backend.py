"""HuggingFaceBackend through DepthEstimator, on tiny random transformers models saved to local folders."""
from __future__ import annotations

import json
import logging
import shutil
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from monodepth_ros.core.camera.intrinsics import Intrinsics  # noqa: E402
from monodepth_ros.core.depth.backends.hf_backend import zoedepth_to_input  # noqa: E402
from monodepth_ros.core.depth.estimator import DepthEstimator  # noqa: E402
from monodepth_ros.core.depth.model_spec import ModelSpec  # noqa: E402
from monodepth_ros.core.depth.types import DepthKind  # noqa: E402
from monodepth_ros.testing.tiny_models import (  # noqa: E402
    depth_anything_processor,
    dinov2_dpt_head,
    save_model_folder,
    tiny_depth_anything,
    tiny_dpt,
    tiny_glpn,
    tiny_zoedepth,
)

IMAGE_HEIGHT, IMAGE_WIDTH = 30, 50
LOGGER = logging.getLogger("test_hf_backend")


@pytest.fixture(scope="module")
def model_folders(tmp_path_factory) -> dict[str, str]:
    """Local folders of tiny models, each with model.safetensors, config.json and preprocessor_config.json."""
    root = tmp_path_factory.mktemp("hf_models")
    torch.manual_seed(0)
    return {
        "zoedepth": save_model_folder(root / "zoedepth", tiny_zoedepth(), transformers.ZoeDepthImageProcessor(
            size={"height": 32, "width": 32}, ensure_multiple_of=8)),
        "depth_anything_relative": save_model_folder(root / "depth_anything_relative", tiny_depth_anything(False),
                                                     depth_anything_processor()),
        "depth_anything_metric": save_model_folder(root / "depth_anything_metric", tiny_depth_anything(True),
                                                   depth_anything_processor()),
        "dpt": save_model_folder(root / "dpt", tiny_dpt(),
                                 transformers.DPTImageProcessor(size={"height": 32, "width": 32})),
        "glpn": save_model_folder(root / "glpn", tiny_glpn(), transformers.GLPNImageProcessor(size_divisor=16)),
        "prompt_depth_anything": save_model_folder(
            root / "prompt_depth_anything", transformers.PromptDepthAnythingForDepthEstimation(
                transformers.PromptDepthAnythingConfig(**dinov2_dpt_head())), depth_anything_processor()),
    }


@pytest.fixture(scope="module")
def rgb() -> np.ndarray:
    """A non-square uint8 RGB image (30, 50, 3)."""
    return np.random.default_rng(0).integers(0, 256, (IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)


def _estimator(folder: str, device: str, **spec_fields) -> DepthEstimator:
    return DepthEstimator(ModelSpec(backend="hf", model=folder, device=device, **spec_fields), LOGGER)


def assert_same_map(actual: np.ndarray, desired: np.ndarray, device: str) -> None:
    """Equal up to kernel rounding: batched matrix products round differently from single ones (more so on
    CUDA, where convolutions may use TF32); the tolerance is relative to the map's largest value."""
    tolerance = 1e-4 if device == "cpu" else 2e-3
    np.testing.assert_allclose(actual, desired, rtol=0.0, atol=tolerance * float(np.abs(desired).max()))


@pytest.mark.parametrize("name, model_type, kind", [
    ("zoedepth", "zoedepth", DepthKind.METRIC),
    ("depth_anything_relative", "depth_anything", DepthKind.RELATIVE_INVERSE),
    ("depth_anything_metric", "depth_anything", DepthKind.METRIC),
    ("dpt", "dpt", DepthKind.RELATIVE_INVERSE),
    ("glpn", "glpn", DepthKind.METRIC),
])
def test_prediction_has_input_resolution_and_the_kind_the_config_implies(model_folders, rgb, device, name,
                                                                         model_type, kind):
    estimator = _estimator(model_folders[name], device)
    prediction = estimator.predict(rgb)
    assert estimator.kind is kind
    assert prediction.kind is kind
    assert estimator.description == f"hf:{model_type} {model_folders[name]}"
    assert estimator.device.startswith(device)
    assert prediction.values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)
    assert prediction.values.dtype == np.float32
    assert np.isfinite(prediction.values).all()
    assert np.ptp(prediction.values) > 0.0, "the randomised model should predict a varying map"
    assert set(prediction.timings_ms) == {"preprocess", "inference", "postprocess"}
    assert all(ms >= 0.0 for ms in prediction.timings_ms.values())


@pytest.mark.parametrize("name, max_depth_m", [("zoedepth", None), ("depth_anything_metric", 20.0),
                                                ("glpn", 10.0)])
def test_metric_depth_is_finite_positive_metres(model_folders, rgb, device, name, max_depth_m):
    values = _estimator(model_folders[name], device).predict(rgb).values
    assert np.isfinite(values).all()
    assert (values > 0.0).all()
    if max_depth_m is not None:
        assert values.max() <= max_depth_m * 1.05, "sigmoid heads bound depth by the config's max_depth"


def test_output_override_reinterprets_the_raw_map(model_folders, rgb, device):
    folder = model_folders["depth_anything_relative"]
    inverse = _estimator(folder, device).predict(rgb).values
    as_depth = _estimator(folder, device, output="relative_depth")
    assert as_depth.kind is DepthKind.RELATIVE_INVERSE
    with np.errstate(divide="ignore"):
        expected = np.where(inverse != 0.0, 1.0 / inverse, np.nan)
    np.testing.assert_allclose(as_depth.predict(rgb).values, expected, rtol=1e-5)

    metric_folder = model_folders["depth_anything_metric"]
    metric_as_relative = _estimator(metric_folder, device, output="relative_inverse_depth")
    assert metric_as_relative.kind is DepthKind.RELATIVE_INVERSE
    np.testing.assert_array_equal(metric_as_relative.predict(rgb).values,
                                  _estimator(metric_folder, device).predict(rgb).values)


def test_canonical_focal_scales_metric_depth_by_real_over_canonical_focal(model_folders, rgb, device):
    folder = model_folders["depth_anything_metric"]
    plain = _estimator(folder, device).predict(rgb).values
    canonical = _estimator(folder, device, canonical_focal_px=100.0)
    long_lens = Intrinsics(200.0, 200.0, 25.0, 15.0, IMAGE_WIDTH, IMAGE_HEIGHT)
    short_lens = Intrinsics(50.0, 50.0, 25.0, 15.0, IMAGE_WIDTH, IMAGE_HEIGHT)
    np.testing.assert_allclose(canonical.predict(rgb, long_lens).values, 2.0 * plain, rtol=1e-5)
    np.testing.assert_allclose(canonical.predict(rgb, short_lens).values, 0.5 * plain, rtol=1e-5)
    with pytest.raises(ValueError, match="focal length"):
        canonical.predict(rgb)


def test_unknown_model_type_needs_an_explicit_output(model_folders, rgb, device):
    folder = model_folders["prompt_depth_anything"]
    with pytest.raises(ValueError, match="cannot tell whether hf:prompt_depth_anything .* set output"):
        _estimator(folder, device)
    estimator = _estimator(folder, device, output="metric_depth")
    assert estimator.kind is DepthKind.METRIC
    assert estimator.predict(rgb).values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)


def test_input_size_sets_the_network_resolution(model_folders, rgb, device):
    estimator = _estimator(model_folders["dpt"], device, input_size=(16, 16))
    network_inputs = []

    def record_input(module, args, kwargs):
        network_inputs.append(tuple(kwargs["pixel_values"].shape))

    estimator.backend._model.register_forward_pre_hook(record_input, with_kwargs=True)
    prediction = estimator.predict(rgb)
    assert network_inputs == [(1, 3, 16, 16)]
    assert prediction.values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)


def test_input_size_is_refused_by_a_processor_without_height_and_width(model_folders):
    with pytest.raises(ValueError, match="does not take a height x width size"):
        _estimator(model_folders["glpn"], "cpu", input_size=(32, 32))


def test_empty_model_is_refused():
    with pytest.raises(ValueError, match="needs model"):
        _estimator("", "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the fallback on machines without CUDA")
def test_cuda_request_falls_back_to_cpu_with_a_warning(model_folders, rgb, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        estimator = _estimator(model_folders["dpt"], "cuda")
    assert estimator.device == "cpu"
    assert any("CUDA is not available" in record.getMessage() for record in caplog.records)
    assert estimator.predict(rgb).values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)


def test_fp16_on_cpu_warns_and_runs_fp32(model_folders, rgb, caplog):
    folder = model_folders["depth_anything_metric"]
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        half = _estimator(folder, "cpu", fp16=True)
    assert any("fp16 ignored" in record.getMessage() for record in caplog.records)
    np.testing.assert_array_equal(half.predict(rgb).values, _estimator(folder, "cpu").predict(rgb).values)


def _write_remote_code_trap(folder, marker) -> None:
    """A Python file that creates ``marker`` when imported, referenced from the configs' auto_map."""
    folder.joinpath("depth_remote_code.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('remote code ran')\n"
        "from transformers import PretrainedConfig\n\n\n"
        "class RemoteConfig(PretrainedConfig):\n    model_type = 'remote_depth'\n")
    for name, auto_class in (("config.json", "AutoModelForDepthEstimation"),
                             ("preprocessor_config.json", "AutoImageProcessor")):
        path = folder / name
        content = json.loads(path.read_text()) if path.exists() else {}
        content["auto_map"] = {"AutoConfig": "depth_remote_code.RemoteConfig",
                               auto_class: "depth_remote_code.RemoteClass"}
        path.write_text(json.dumps(content))


def test_remote_code_in_a_model_folder_is_never_executed(model_folders, tmp_path, monkeypatch):
    marker = tmp_path / "remote_code_ran"
    known_type = tmp_path / "dpt_with_auto_map"
    shutil.copytree(model_folders["dpt"], known_type)
    _write_remote_code_trap(known_type, marker)
    assert _estimator(str(known_type), "cpu").description.startswith("hf:dpt ")
    assert not marker.exists()

    custom_type = tmp_path / "custom_model"
    custom_type.mkdir()
    custom_type.joinpath("config.json").write_text(json.dumps({"model_type": "remote_depth"}))
    _write_remote_code_trap(custom_type, marker)
    with pytest.raises(ValueError, match="trust_remote_code"):
        _estimator(str(custom_type), "cpu")
    assert not marker.exists()

    from transformers import dynamic_module_utils

    monkeypatch.setattr(dynamic_module_utils, "HF_MODULES_CACHE", str(tmp_path / "modules"))
    monkeypatch.setattr(sys, "path", list(sys.path))
    transformers.AutoConfig.from_pretrained(str(custom_type), trust_remote_code=True)
    assert marker.exists(), "the trap must run when remote code is trusted, else this test proves nothing"


def test_zoedepth_padding_is_cropped_back_to_the_image():
    height, width = 32, 50
    pad_h, pad_w = int(np.sqrt(height / 2) * 3), int(np.sqrt(width / 2) * 3)
    padded_height, padded_width = height + 2 * pad_h, width + 2 * pad_w
    # The network sees the padded image and predicts at half its resolution; each value is the column
    # (in padded-image pixels) of that output pixel's centre.
    half_columns = (torch.arange(padded_width // 2, dtype=torch.float32) + 0.5) * 2.0 - 0.5
    predicted = half_columns.expand(1, padded_height // 2, padded_width // 2)

    # Bicubic upsampling (a = -0.75) follows a linear ramp to within 0.1; a wrong crop is off by >= 1.
    cropped = zoedepth_to_input(predicted, height, width, padded=True)
    assert cropped.shape == (1, height, width)
    np.testing.assert_allclose(cropped[0].numpy(), np.tile(np.arange(width) + pad_w, (height, 1)),
                               atol=0.1)
    uncropped = zoedepth_to_input(predicted, padded_height, padded_width, padded=False)
    np.testing.assert_allclose(uncropped[0, :, 4:-4].numpy(),
                               np.tile(np.arange(4, padded_width - 4), (padded_height, 1)), atol=0.1)


@pytest.mark.parametrize("name", ["zoedepth", "depth_anything_relative", "depth_anything_metric", "dpt", "glpn"])
def test_a_batch_gives_the_depth_of_single_calls(model_folders, device, name):
    images = np.random.default_rng(1).integers(0, 256, (3, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    estimator = _estimator(model_folders[name], device)
    network_inputs = []
    estimator.backend._model.register_forward_pre_hook(
        lambda module, args, kwargs: network_inputs.append(kwargs["pixel_values"].shape[0]), with_kwargs=True)
    singles = [estimator.predict(rgb).values for rgb in images]
    batch = estimator.predict_batch(images)
    assert network_inputs == [1, 1, 1, 3], "the batch runs through the network in one forward pass"
    assert len(batch) == 3
    for prediction, single in zip(batch, singles):
        assert prediction.values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)
        assert_same_map(prediction.values, single, device)
    assert not np.allclose(singles[0], singles[1]), "the images must differ, else mixing them up goes unseen"


def test_raw_maps_stay_on_the_model_device_at_the_input_resolution(model_folders, device):
    estimator = _estimator(model_folders["depth_anything_metric"], device)
    images = np.random.default_rng(2).integers(0, 256, (2, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    raw = estimator.backend.infer_batch(images)
    assert isinstance(raw.values, torch.Tensor)
    assert raw.values.device == torch.device(estimator.device)
    assert tuple(raw.values.shape) == (2, IMAGE_HEIGHT, IMAGE_WIDTH)
    assert min(raw.preprocess_ms, raw.inference_ms, raw.resize_ms) >= 0.0


@pytest.mark.parametrize("spec_fields", [{"fp16": True}, {"precision": "fp16"}])
def test_fp16_on_cuda_runs_half_precision_and_returns_float32(model_folders, rgb, device, spec_fields):
    if device == "cpu":
        pytest.skip("half precision runs on CUDA only (run with --device cuda)")
    folder = model_folders["depth_anything_metric"]
    half = _estimator(folder, device, **spec_fields)
    assert half.backend._model.dtype == torch.float16
    assert half.backend.infer_batch(rgb[None]).values.dtype == torch.float32, "resized in float32"
    values = half.predict(rgb).values
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, _estimator(folder, device).predict(rgb).values, rtol=1e-2)


def _network_dtypes(estimator: DepthEstimator) -> list[torch.dtype]:
    seen = []
    estimator.backend._model.register_forward_pre_hook(
        lambda module, args, kwargs: seen.append(kwargs["pixel_values"].dtype), with_kwargs=True)
    return seen


@pytest.mark.parametrize("name", ["depth_anything_metric", "glpn"])
def test_bf16_runs_the_network_in_bfloat16_and_stays_close_to_fp32(model_folders, rgb, device, name):
    if device != "cpu" and not torch.cuda.is_bf16_supported():
        pytest.skip(f"{device} has no bfloat16")
    reduced = _estimator(model_folders[name], device, precision="bf16")
    seen = _network_dtypes(reduced)
    assert reduced.backend.infer_batch(rgb[None]).values.dtype == torch.float32
    values = reduced.predict(rgb).values
    assert seen == [torch.bfloat16, torch.bfloat16]
    full = _estimator(model_folders[name], device).predict(rgb).values
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, full, rtol=0.0, atol=0.05 * float(np.abs(full).max()))
    assert not np.array_equal(values, full), "bf16 arithmetic rounds differently from fp32"


DEVICE_PREPROCESSED = ["zoedepth", "depth_anything_relative", "depth_anything_metric", "dpt", "glpn"]


@pytest.mark.parametrize("name", DEVICE_PREPROCESSED)
def test_device_preprocessing_gives_the_depth_of_the_processor(model_folders, device, name):
    images = np.random.default_rng(3).integers(0, 256, (2, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    host = _estimator(model_folders[name], device, preprocess="host")
    on_device = _estimator(model_folders[name], device, preprocess="device")
    assert (host.backend.preprocessing, on_device.backend.preprocessing) == ("host", "device")
    desired = np.stack([prediction.values for prediction in host.predict_batch(images)])
    actual = np.stack([prediction.values for prediction in on_device.predict_batch(images)])
    # One grey level on a few input pixels moves the tiny random models' output a little.
    np.testing.assert_allclose(actual, desired, rtol=0.0, atol=0.02 * float(np.abs(desired).max()))
    assert np.abs(actual - desired).mean() < 2e-3 * float(np.abs(desired).max())


@pytest.fixture(scope="module")
def lanczos_dpt(model_folders, tmp_path_factory) -> str:
    """The tiny DPT with a processor that resamples with Lanczos (not reproduced on the device)."""
    folder = tmp_path_factory.mktemp("lanczos_dpt")
    shutil.copytree(model_folders["dpt"], folder, dirs_exist_ok=True)
    transformers.DPTImageProcessor(size={"height": 32, "width": 32}, resample=1).save_pretrained(folder)
    return str(folder)


def test_auto_preprocessing_is_the_processor_on_cpu_and_the_device_on_cuda(model_folders, lanczos_dpt, device):
    estimator = _estimator(model_folders["depth_anything_metric"], device)
    assert estimator.backend.preprocessing == ("host" if device == "cpu" else "device")
    assert _estimator(lanczos_dpt, device).backend.preprocessing == "host", \
        "a processor the device path does not reproduce stays on the host"


def test_device_preprocessing_is_refused_for_a_processor_it_does_not_reproduce(lanczos_dpt):
    with pytest.raises(ValueError, match="preprocess 'device' is not available .*resampling filter"):
        _estimator(lanczos_dpt, "cpu", preprocess="device")


def test_device_preprocessing_honours_input_size(model_folders, rgb, device):
    estimator = _estimator(model_folders["dpt"], device, input_size=(24, 24), preprocess="device")
    network_inputs = []
    estimator.backend._model.register_forward_pre_hook(
        lambda module, args, kwargs: network_inputs.append(tuple(kwargs["pixel_values"].shape)), with_kwargs=True)
    assert estimator.predict(rgb).values.shape == (IMAGE_HEIGHT, IMAGE_WIDTH)
    assert network_inputs == [(1, 3, 24, 24)]


def test_channels_last_feeds_nhwc_and_keeps_the_depth(model_folders, rgb, device):
    folder = model_folders["glpn"]
    nhwc = _estimator(folder, device, channels_last=True)
    layouts = []
    nhwc.backend._model.register_forward_pre_hook(lambda module, args, kwargs: layouts.append(
        kwargs["pixel_values"].is_contiguous(memory_format=torch.channels_last)), with_kwargs=True)
    values = nhwc.predict(rgb).values
    assert layouts == [True]
    assert "channels_last" in nhwc.backend.settings
    assert_same_map(values, _estimator(folder, device).predict(rgb).values, device)


def test_depth_range_masks_metric_depth_on_the_device(model_folders, rgb, device):
    estimator = _estimator(model_folders["depth_anything_metric"], device)
    plain = estimator.predict(rgb).values
    low, high = np.percentile(plain, [25, 75])
    masked = estimator.predict(rgb, depth_range_m=(float(low), float(high))).values
    inside = (plain >= low) & (plain <= high)
    assert np.isnan(masked[~inside]).all()
    np.testing.assert_array_equal(masked[inside], plain[inside])
    relative = _estimator(model_folders["dpt"], device)
    np.testing.assert_array_equal(relative.predict(rgb, depth_range_m=(0.5, 0.6)).values,
                                  relative.predict(rgb).values)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU fallback")
def test_cuda_graphs_on_cpu_warn_and_run_eagerly(model_folders, rgb, caplog):
    folder = model_folders["dpt"]
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        estimator = _estimator(folder, "cpu", cuda_graphs=True)
    assert any("cuda_graphs ignored" in record.getMessage() for record in caplog.records)
    assert estimator.backend.settings == "cpu float32 eager, preprocessing on host"
    np.testing.assert_array_equal(estimator.predict(rgb).values, _estimator(folder, "cpu").predict(rgb).values)


def test_cuda_graphs_replay_the_depth_of_eager_runs(model_folders, device):
    if device == "cpu":
        pytest.skip("CUDA graphs need a CUDA device (run with --device cuda)")
    folder = model_folders["depth_anything_metric"]
    images = np.random.default_rng(4).integers(0, 256, (2, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    graphed = _estimator(folder, device, cuda_graphs=True)
    assert graphed.backend.settings.endswith("cuda_graphs, preprocessing on device")
    eager = _estimator(folder, device)
    for _ in range(2):  # the first call captures, the second replays
        for prediction, reference in zip(graphed.predict_batch(images), eager.predict_batch(images)):
            assert_same_map(prediction.values, reference.values, device)
    single = graphed.predict(images[0]).values  # another shape: another graph
    assert_same_map(single, eager.predict(images[0]).values, device)


@pytest.mark.parametrize("name", ["depth_anything_relative", "depth_anything_metric", "dpt", "glpn"])
def test_the_default_cpu_path_is_transformers_own_pipeline(model_folders, name):
    """preprocess 'auto' on the CPU: the processor, the fp32 network and the processor's post-processing, bit for
    bit (the device path and reduced precision leave it untouched)."""
    images = np.random.default_rng(5).integers(0, 256, (2, IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    processor = transformers.AutoImageProcessor.from_pretrained(model_folders[name])
    model = transformers.AutoModelForDepthEstimation.from_pretrained(model_folders[name]).eval()
    with torch.no_grad():
        outputs = model(**processor(images=list(images), return_tensors="pt", input_data_format="channels_last"))
    results = processor.post_process_depth_estimation(outputs, target_sizes=[(IMAGE_HEIGHT, IMAGE_WIDTH)] * 2)
    estimator = _estimator(model_folders[name], "cpu")
    for prediction, result in zip(estimator.predict_batch(images), results):
        np.testing.assert_array_equal(prediction.values, result["predicted_depth"].numpy())
