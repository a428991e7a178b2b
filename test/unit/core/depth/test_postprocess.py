"""The shared post-processing gives the same depth on numpy arrays and on torch tensors on ``--device``."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.depth.postprocess import mask_outside_range, raw_to_depth, to_host
from monodepth_ros.core.depth.types import ModelOutput

RAW = np.array([[[2.0, 4.0, 0.0], [-1.0, np.inf, np.nan]],
                [[0.5, 8.0, 1.0], [10.0, 20.0, 40.0]]], dtype=np.float32)
"""Raw maps (2, 2, 3): positive values, zero, negative, inf and NaN in the first image."""


@pytest.fixture(params=["numpy", "torch"])
def as_array(request, device):
    """Turns float32 numpy (N, H, W) into the array type under test: numpy, or a torch tensor on ``device``."""
    if request.param == "numpy":
        if device != "cpu":
            pytest.skip("numpy arrays live on the host")
        return lambda values: values.copy()
    torch = pytest.importorskip("torch")
    return lambda values: torch.from_numpy(values.copy()).to(device)


def test_metric_depth_is_scaled_and_non_positive_or_non_finite_values_are_nan(as_array):
    depth = to_host(raw_to_depth(as_array(RAW), ModelOutput.METRIC_DEPTH, output_scale=0.5))
    assert depth.dtype == np.float32 and depth.shape == RAW.shape
    np.testing.assert_array_equal(depth, np.where(np.isfinite(RAW) & (RAW > 0), RAW * np.float32(0.5), np.nan))


def test_metric_inverse_depth_is_inverted_after_scaling(as_array):
    depth = to_host(raw_to_depth(as_array(RAW), ModelOutput.METRIC_INVERSE_DEPTH, output_scale=2.0))
    with np.errstate(divide="ignore"):
        expected = np.float32(1.0) / (RAW * np.float32(2.0))
    np.testing.assert_array_equal(depth, np.where(np.isfinite(expected) & (expected > 0), expected, np.nan))
    assert np.isnan(depth[0, 0, 2]), "zero inverse depth (infinitely far) is invalid, not infinite"


def test_relative_outputs_become_inverse_depth_and_keep_their_sign(as_array):
    passed = to_host(raw_to_depth(as_array(RAW), ModelOutput.RELATIVE_INVERSE_DEPTH))
    np.testing.assert_array_equal(passed, np.where(np.isfinite(RAW), RAW, np.nan))
    inverted = to_host(raw_to_depth(as_array(RAW), ModelOutput.RELATIVE_DEPTH))
    with np.errstate(divide="ignore"):
        expected = np.float32(1.0) / RAW
    np.testing.assert_array_equal(inverted, np.where(np.isfinite(expected), expected, np.nan))
    assert inverted[0, 1, 0] == -1.0, "relative values carry an unknown shift and may be negative"


def test_focal_ratios_scale_each_image_of_the_batch(as_array):
    depth = to_host(raw_to_depth(as_array(RAW), ModelOutput.METRIC_DEPTH, focal_ratios=[2.0, 0.25]))
    plain = to_host(raw_to_depth(as_array(RAW), ModelOutput.METRIC_DEPTH))
    np.testing.assert_array_equal(depth[0], plain[0] * np.float32(2.0))
    np.testing.assert_array_equal(depth[1], plain[1] * np.float32(0.25))


def test_tensors_stay_on_their_device_until_copied_to_the_host(device):
    torch = pytest.importorskip("torch")
    raw = torch.from_numpy(RAW).to(device).half()
    depth = raw_to_depth(raw, ModelOutput.METRIC_DEPTH)
    assert isinstance(depth, torch.Tensor) and depth.device == raw.device and depth.dtype == torch.float32
    host = to_host(depth)
    assert isinstance(host, np.ndarray)
    np.testing.assert_array_equal(host, to_host(raw_to_depth(RAW.astype(np.float16), ModelOutput.METRIC_DEPTH)))
    assert to_host(RAW) is RAW, "numpy arrays are not copied"


def test_mask_outside_range_sets_near_and_far_depth_to_nan_in_place():
    depth = np.array([[0.05, 0.1, 5.0], [20.0, 25.0, np.nan]], dtype=np.float32)
    assert mask_outside_range(depth, 0.1, 20.0) is depth
    np.testing.assert_array_equal(depth, np.array([[np.nan, 0.1, 5.0], [20.0, np.nan, np.nan]], dtype=np.float32))
