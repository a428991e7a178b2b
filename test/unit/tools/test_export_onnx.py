"""monodepth-export: tiny Hugging Face models -> ONNX -> the onnx backend gives the hf backend's depth."""
from __future__ import annotations

import logging

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from monodepth_ros.core.depth.estimator import DepthEstimator  # noqa: E402
from monodepth_ros.core.depth.model_spec import ModelSpec  # noqa: E402
from monodepth_ros.core.depth.types import DepthKind  # noqa: E402
from monodepth_ros.tools.export_onnx import DEFAULT_OPSET, main  # noqa: E402
from monodepth_ros.testing.tiny_models import (  # noqa: E402
    depth_anything_processor,
    save_model_folder,
    tiny_depth_anything,
    tiny_dpt,
    tiny_glpn,
    tiny_zoedepth,
)

LOGGER = logging.getLogger("test_export_onnx")


@pytest.fixture(scope="module")
def model_folders(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("export_models")
    torch.manual_seed(1)
    imagenet = {"image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}
    return {
        "depth_anything": save_model_folder(root / "depth_anything", tiny_depth_anything(False),
                                            depth_anything_processor()),
        "depth_anything_metric": save_model_folder(
            root / "depth_anything_metric", tiny_depth_anything(True), transformers.DPTImageProcessor(
                size={"height": 28, "width": 42}, ensure_multiple_of=14, keep_aspect_ratio=True, **imagenet)),
        "dpt": save_model_folder(root / "dpt", tiny_dpt(), transformers.DPTImageProcessor(
            size={"height": 32, "width": 32}, **imagenet)),
        "glpn": save_model_folder(root / "glpn", tiny_glpn(), transformers.GLPNImageProcessor(size_divisor=16)),
        "zoedepth": save_model_folder(root / "zoedepth", tiny_zoedepth(), transformers.ZoeDepthImageProcessor(
            size={"height": 32, "width": 32}, ensure_multiple_of=8)),
    }


def _export(folder: str, out, *options: str) -> int:
    return main([folder, "--out", str(out), *options])


def _images(count: int, height: int, width: int) -> np.ndarray:
    return np.random.default_rng(count).integers(0, 256, (count, height, width, 3), dtype=np.uint8)


@pytest.mark.parametrize("name, options, size, kind", [
    ("depth_anything", ("--input-size", "28", "42"), (28, 42), DepthKind.RELATIVE_INVERSE),
    ("depth_anything_metric", (), (28, 42), DepthKind.METRIC),
    ("dpt", (), (32, 32), DepthKind.RELATIVE_INVERSE),
    ("glpn", ("--input-size", "32", "48"), (32, 48), DepthKind.METRIC),
])
def test_exported_model_gives_the_depth_of_the_hf_backend(model_folders, tmp_path, capsys, name, options, size,
                                                          kind):
    path = tmp_path / f"{name}.onnx"
    assert _export(model_folders[name], path, *options) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    exported = DepthEstimator(ModelSpec(backend="onnx", model=str(path), device="cpu"), LOGGER)
    torch_model = DepthEstimator(ModelSpec(backend="hf", model=model_folders[name], device="cpu"), LOGGER)
    assert exported.kind is kind
    assert exported.backend.fixed_batch is None, "the batch axis is dynamic"
    # Images of the network's size: neither path resizes, so any difference is the export's.
    images = _images(3, *size)
    for prediction, reference in zip(exported.predict_batch(images), torch_model.predict_batch(images)):
        scale = float(np.nanmax(np.abs(reference.values)))
        np.testing.assert_allclose(prediction.values, reference.values, rtol=0.0, atol=2e-3 * scale)
    other_size = exported.predict(_images(1, 45, 60)[0]).values
    assert other_size.shape == (45, 60) and np.isfinite(other_size).all()


def test_the_file_carries_metadata_a_fixed_size_and_a_dynamic_batch(model_folders, tmp_path):
    path = tmp_path / "depth_anything_metric.onnx"
    assert _export(model_folders["depth_anything_metric"], path) == 0
    model = onnx.load(str(path))
    properties = {entry.key: entry.value for entry in model.metadata_props}
    assert properties == {"monodepth_ros.input_size": "28,42", "monodepth_ros.mean": "0.485,0.456,0.406",
                          "monodepth_ros.std": "0.229,0.224,0.225", "monodepth_ros.output": "metric_depth",
                          "monodepth_ros.model_type": "depth_anything", "monodepth_ros.output_resize": "bicubic"}
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [dim.dim_value for dim in dims[1:]] == [3, 28, 42]
    assert max(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")) == DEFAULT_OPSET


@pytest.mark.parametrize("name, options, reason", [
    ("zoedepth", (), "pads its input"),
    ("glpn", (), "no fixed size; set --input-size"),
    ("glpn", ("--input-size", "30", "48"), "multiples of 16"),
])
def test_models_it_cannot_export_are_refused_in_one_line(model_folders, tmp_path, capsys, name, options, reason):
    path = tmp_path / "refused.onnx"
    assert _export(model_folders[name], path, *options) == 1
    error = capsys.readouterr().err
    assert error.startswith("monodepth-export: ") and reason in error and error.count("\n") == 1
    assert not path.exists()


def test_a_missing_folder_is_refused(tmp_path, capsys):
    assert _export(str(tmp_path / "nothing"), tmp_path / "out.onnx") == 1
    assert "is not a model folder" in capsys.readouterr().err


def test_output_option_overrides_the_config(model_folders, tmp_path):
    path = tmp_path / "as_depth.onnx"
    assert _export(model_folders["dpt"], path, "--output", "relative_depth") == 0
    properties = {entry.key: entry.value for entry in onnx.load(str(path)).metadata_props}
    assert properties["monodepth_ros.output"] == "relative_depth"
