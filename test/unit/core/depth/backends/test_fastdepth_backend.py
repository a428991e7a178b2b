"""The embedded FastDepth model (ONNX, fixed batch of 1) through the registry and DepthEstimator."""
from __future__ import annotations

import logging

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
skimage_data = pytest.importorskip("skimage.data")

from monodepth_ros.core.depth.backends.fastdepth_backend import FastDepthBackend  # noqa: E402
from monodepth_ros.core.depth.estimator import DepthEstimator  # noqa: E402
from monodepth_ros.core.depth.model_spec import ModelSpec  # noqa: E402
from monodepth_ros.core.depth.types import DepthKind  # noqa: E402
from monodepth_ros.testing.onnx_session import recorded_inputs  # noqa: E402

LOGGER = logging.getLogger("test_fastdepth_backend")
CROP_HEIGHT, CROP_WIDTH = 240, 320


@pytest.fixture(scope="module")
def motorcycle_crops() -> np.ndarray:
    """Three different uint8 RGB crops (3, 240, 320, 3) of Middlebury 'Motorcycle' (left view)."""
    left = skimage_data.stereo_motorcycle()[0]
    corners = [(0, 0), (100, 200), (250, 400)]
    return np.stack([left[row:row + CROP_HEIGHT, column:column + CROP_WIDTH] for row, column in corners])


@pytest.fixture(scope="module")
def fastdepth(onnx_device) -> DepthEstimator:
    return DepthEstimator(ModelSpec(device=onnx_device), LOGGER)


def test_default_spec_runs_the_embedded_fastdepth_as_metric_depth(fastdepth):
    assert isinstance(fastdepth.backend, FastDepthBackend)
    assert fastdepth.description == "fastdepth (fastdepth_7.onnx)"
    assert fastdepth.kind is DepthKind.METRIC
    assert fastdepth.backend.fixed_batch == 1


def test_a_batch_runs_image_by_image_and_gives_the_depth_of_single_calls(fastdepth, motorcycle_crops):
    singles = [fastdepth.predict(rgb).values for rgb in motorcycle_crops]
    with recorded_inputs(fastdepth.backend) as network_inputs:
        batch = fastdepth.predict_batch(motorcycle_crops)
    assert network_inputs == [(1, 3, 224, 224)] * 3
    for prediction, single in zip(batch, singles):
        assert prediction.values.shape == (CROP_HEIGHT, CROP_WIDTH)
        assert np.nanmin(prediction.values) > 0.0
        np.testing.assert_allclose(prediction.values, single, rtol=1e-5)
    assert not np.allclose(singles[0], singles[2], rtol=0.05), "the crops must give different depth"


def test_raw_batch_is_metres_at_the_input_resolution(fastdepth, motorcycle_crops):
    raw = fastdepth.backend.infer_batch(motorcycle_crops[:2])
    values = np.asarray(raw.values.cpu() if fastdepth.backend.preprocessing == "device" else raw.values)
    assert values.dtype == np.float32
    assert values.shape == (2, CROP_HEIGHT, CROP_WIDTH)
    assert 0.3 < float(np.median(values)) < 10.0, "an indoor model predicts metres of a room-sized scene"


def test_device_path_gives_the_depth_of_the_host_path(onnx_device, motorcycle_crops):
    pytest.importorskip("torch")
    host = DepthEstimator(ModelSpec(device=onnx_device, preprocess="host"), LOGGER)
    on_device = DepthEstimator(ModelSpec(device=onnx_device, preprocess="device"), LOGGER)
    for prediction, reference in zip(on_device.predict_batch(motorcycle_crops), host.predict_batch(motorcycle_crops)):
        valid = np.isfinite(reference.values)
        assert (np.isfinite(prediction.values) == valid).mean() > 0.999
        both = valid & np.isfinite(prediction.values)
        relative = np.abs(prediction.values[both] - reference.values[both]) / reference.values[both]
        assert np.median(relative) < 1e-3 and np.percentile(relative, 99) < 0.01, "one grey level here and there"
