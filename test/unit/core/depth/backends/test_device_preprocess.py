"""Device preprocessing against the host paths it reproduces: transformers' image processors and OpenCV's
INTER_AREA, on the same images (run on ``--device``; CPU tensors by default)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from monodepth_ros.core.depth.backends.device_preprocess import (  # noqa: E402
    AreaResize,
    ProcessorOnDevice,
    UnsupportedPreprocessing,
    as_nchw_float,
)
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle  # noqa: E402

GREY_LEVEL = 1.0 / 255.0
MAX_DIFFERING_FRACTION = 0.02
"""Pillow-resampled families: one grey level apart on under 2 % of the values, two on hardly any."""
MAX_TWO_LEVEL_FRACTION = 1e-4
FLOAT_TOLERANCE = 1e-5
"""ZoeDepth (float resampling): equal to float rounding."""

PROCESSORS = {
    "depth_anything_518": lambda: transformers.DPTImageProcessor(
        size={"height": 518, "width": 518}, keep_aspect_ratio=True, ensure_multiple_of=14, resample=3,
        image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]),
    "depth_anything_tiny": lambda: transformers.DPTImageProcessor(
        size={"height": 28, "width": 28}, ensure_multiple_of=14, keep_aspect_ratio=True),
    "dpt_square": lambda: transformers.DPTImageProcessor(size={"height": 32, "width": 32}),
    "dpt_padded": lambda: transformers.DPTImageProcessor(size={"height": 50, "width": 70}, do_pad=True,
                                                         size_divisor=32, resample=2),
    "glpn": lambda: transformers.GLPNImageProcessor(size_divisor=16),
    "zoedepth": lambda: transformers.ZoeDepthImageProcessor(size={"height": 32, "width": 32}, ensure_multiple_of=8),
    "zoedepth_default": lambda: transformers.ZoeDepthImageProcessor(),
}


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A real photograph, uint8 RGB (480, 640, 3)."""
    rgb, _, _ = load_middlebury_motorcycle()
    return np.ascontiguousarray(cv2.resize(rgb, (640, 480), interpolation=cv2.INTER_AREA))


def _images(photo: np.ndarray, height: int, width: int) -> np.ndarray:
    """Two images (2, height, width, 3): the photograph resized, and noise (the hardest case for rounding)."""
    noise = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return np.stack([cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA), noise])


def _host(processor, images: np.ndarray) -> np.ndarray:
    return processor(images=list(images), return_tensors="pt", input_data_format="channels_last")[
        "pixel_values"].numpy()


def _on_device(processor, images: np.ndarray, device: str, input_size=(0, 0)) -> np.ndarray:
    on_device = ProcessorOnDevice(processor, input_size, device)
    return on_device(torch.from_numpy(images).to(device)).cpu().numpy()


def assert_within_one_grey_level(actual: np.ndarray, desired: np.ndarray, std) -> None:
    """Values (N, 3, h, w) normalised by ``std``: one grey level apart on under 2 % of them, two at most on
    under 0.01 %."""
    assert actual.shape == desired.shape
    grey_levels = np.abs(actual - desired) * np.asarray(std, dtype=np.float64).reshape(1, 3, 1, 1) / GREY_LEVEL
    assert grey_levels.max() <= 2.0 + 1e-3
    assert (grey_levels > 0.5).mean() < MAX_DIFFERING_FRACTION
    assert (grey_levels > 1.5).mean() < MAX_TWO_LEVEL_FRACTION


@pytest.mark.parametrize("name", ["depth_anything_518", "depth_anything_tiny", "dpt_square", "dpt_padded", "glpn"])
@pytest.mark.parametrize("height, width", [(480, 640), (30, 50), (518, 518), (100, 75)])
def test_pillow_families_match_the_processor_within_one_grey_level(photo, device, name, height, width):
    processor = PROCESSORS[name]()
    images = _images(photo, height, width)
    std = processor.image_std if processor.do_normalize else (1.0, 1.0, 1.0)
    assert_within_one_grey_level(_on_device(processor, images, device), _host(processor, images), std)


@pytest.mark.parametrize("name", ["zoedepth", "zoedepth_default"])
@pytest.mark.parametrize("height, width", [(480, 640), (30, 50)])
def test_zoedepth_matches_the_processor_to_float_rounding(photo, device, name, height, width):
    processor = PROCESSORS[name]()
    images = _images(photo, height, width)
    desired = _host(processor, images)
    actual = _on_device(processor, images, device)
    assert actual.shape == desired.shape
    np.testing.assert_allclose(actual, desired, rtol=0.0, atol=FLOAT_TOLERANCE)


def test_depth_anything_network_size_keeps_the_aspect_ratio_in_multiples_of_14(device):
    on_device = ProcessorOnDevice(PROCESSORS["depth_anything_518"](), (0, 0), device)
    assert on_device.resized_size(518, 518) == (518, 518)
    assert on_device.resized_size(480, 640) == (518, 686)
    assert on_device.resized_size(720, 1280) == (518, 924)


def test_input_size_overrides_the_processor_size(photo, device):
    processor = PROCESSORS["dpt_square"]()
    images = _images(photo, 30, 50)
    desired = processor(images=list(images), return_tensors="pt", input_data_format="channels_last",
                        size={"height": 16, "width": 24})["pixel_values"].numpy()
    actual = _on_device(processor, images, device, input_size=(16, 24))
    assert actual.shape == (2, 3, 16, 24)
    assert_within_one_grey_level(actual, desired, processor.image_std)


@pytest.mark.parametrize("processor, reason", [
    (lambda: transformers.DPTImageProcessor(resample=1), "resampling filter"),
    (lambda: transformers.PromptDepthAnythingImageProcessor(), "not reproduced on the device"),
    (lambda: transformers.DPTImageProcessor(size={"shortest_edge": 384}), "not a height x width size"),
])
def test_processors_it_does_not_reproduce_are_named(processor, reason):
    with pytest.raises(UnsupportedPreprocessing, match=reason):
        ProcessorOnDevice(processor(), (0, 0), "cpu")


@pytest.mark.parametrize("source, target, differing", [
    ((480, 640), (224, 224), 0.01), ((64, 96), (32, 48), 0.01), ((224, 224), (224, 224), 0.0),
    ((30, 50), (32, 48), 0.15), ((20, 30), (224, 224), 0.15)])
def test_area_resize_matches_opencv_inter_area_within_one_grey_level(photo, device, source, target, differing):
    images = _images(photo, *source)
    desired = np.stack([cv2.resize(image, target[::-1], interpolation=cv2.INTER_AREA) for image in images])
    resize = AreaResize(source, target, device)
    actual = resize(as_nchw_float(torch.from_numpy(images).to(device))).permute(0, 2, 3, 1).cpu().numpy()
    difference = np.abs(actual - desired.astype(np.float32))
    assert difference.max() <= 1.0
    assert (difference > 0).mean() <= differing
