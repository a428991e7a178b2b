"""DepthEstimator.predict_batch: one prediction per image, the same as single calls, on numpy or device maps."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.backends.base import DepthBackend, RawBatch
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import DepthKind, ModelOutput

LOGGER = logging.getLogger("test_estimator")
HEIGHT, WIDTH = 12, 16


class BrightnessBackend(DepthBackend):
    """A known 'network': raw map = 1 + mean RGB / 255 per pixel, as numpy or as a torch tensor on ``device``."""

    native_output = ModelOutput.METRIC_DEPTH
    description = "brightness"

    def __init__(self, device: str | None) -> None:
        self.device = device or "cpu"
        self.tensor = device is not None
        self.batch_sizes: list[int] = []

    def infer_batch(self, images: np.ndarray) -> RawBatch:
        self.batch_sizes.append(len(images))
        maps = 1.0 + images.astype(np.float32).mean(axis=3) / np.float32(255.0)
        if self.tensor:
            import torch

            maps = torch.from_numpy(maps).to(self.device)
        return RawBatch(maps, 1.0, 2.0, 0.5)


@pytest.fixture(params=["numpy", "torch"])
def backend(request, device) -> BrightnessBackend:
    if request.param == "numpy":
        if device != "cpu":
            pytest.skip("numpy maps live on the host")
        return BrightnessBackend(None)
    pytest.importorskip("torch")
    return BrightnessBackend(device)


def _images(count: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (count, HEIGHT, WIDTH, 3), dtype=np.uint8)


def _brightness(rgb: np.ndarray) -> np.ndarray:
    return 1.0 + rgb.astype(np.float32).mean(axis=2) / np.float32(255.0)


def test_predict_batch_gives_one_host_prediction_per_image_in_one_backend_call(backend):
    estimator = DepthEstimator(ModelSpec(), LOGGER, backend=backend)
    images = _images(4)
    predictions = estimator.predict_batch(images)
    assert backend.batch_sizes == [4]
    assert len(predictions) == 4
    for prediction, rgb in zip(predictions, images):
        assert isinstance(prediction.values, np.ndarray) and prediction.values.dtype == np.float32
        assert prediction.kind is DepthKind.METRIC
        np.testing.assert_allclose(prediction.values, _brightness(rgb), rtol=1e-6)
        assert prediction.timings_ms["preprocess"] == 1.0 and prediction.timings_ms["inference"] == 2.0
        assert prediction.timings_ms["postprocess"] >= 0.5, "the backend's resizing counts as post-processing"


def test_predict_is_the_batch_of_one(backend):
    estimator = DepthEstimator(ModelSpec(), LOGGER, backend=backend)
    images = _images(3)
    batch = estimator.predict_batch(list(images))
    for prediction, rgb in zip(batch, images):
        np.testing.assert_array_equal(estimator.predict(rgb).values, prediction.values)
    assert backend.batch_sizes == [3, 1, 1, 1]


def test_canonical_focal_scales_each_image_by_its_own_camera(backend):
    estimator = DepthEstimator(ModelSpec(canonical_focal_px=100.0), LOGGER, backend=backend)
    images = _images(2)
    cameras = [Intrinsics(200.0, 200.0, 8.0, 6.0, WIDTH, HEIGHT), Intrinsics(50.0, 50.0, 8.0, 6.0, WIDTH, HEIGHT)]
    near, far = estimator.predict_batch(images, cameras)
    np.testing.assert_allclose(near.values, 2.0 * _brightness(images[0]), rtol=1e-6)
    np.testing.assert_allclose(far.values, 0.5 * _brightness(images[1]), rtol=1e-6)
    with pytest.raises(ValueError, match="focal length .* for every image"):
        estimator.predict_batch(images, [cameras[0], None])
    with pytest.raises(ValueError, match="focal length"):
        estimator.predict_batch(images)


def test_malformed_batches_are_refused_with_the_reason():
    estimator = DepthEstimator(ModelSpec(), LOGGER, backend=BrightnessBackend(None))
    with pytest.raises(ValueError, match=r"one size, got shapes \[\(12, 16, 3\), \(12, 20, 3\)\]"):
        estimator.predict_batch([_images(1)[0], np.zeros((HEIGHT, 20, 3), dtype=np.uint8)])
    with pytest.raises(ValueError, match="at least one image"):
        estimator.predict_batch([])
    with pytest.raises(ValueError, match=r"uint8 RGB \(N, H, W, 3\) with N >= 1, got float32"):
        estimator.predict_batch(_images(2).astype(np.float32))
    with pytest.raises(ValueError, match=r"uint8 RGB \(H, W, 3\), got uint8 \(12, 16\)"):
        estimator.predict(_images(1)[0, :, :, 0])
    assert estimator.backend.batch_sizes == []


def test_a_model_output_without_any_finite_value_warns_once_until_it_recovers(backend, caplog):
    """A black image stands for a broken model: its raw map is all inf."""
    estimator = DepthEstimator(ModelSpec(), LOGGER, backend=backend)
    infer = backend.infer_batch
    backend.infer_batch = lambda images: RawBatch(infer(images).values / float(images.max() > 0), 1.0, 2.0, 0.5)
    black, grey = np.zeros((HEIGHT, WIDTH, 3), np.uint8), np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    with caplog.at_level(logging.INFO, logger=LOGGER.name):
        for _ in range(5):
            assert np.isnan(estimator.predict(black, depth_range_m=(0.1, 10.0)).values).all()
        estimator.predict(grey)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no finite value" in warnings[0]
    assert any("finite again after 5 images" in record.getMessage() for record in caplog.records)
