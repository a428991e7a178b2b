"""Depth metrics and the relative-depth alignment."""
import numpy as np
import pytest

from monodepth_ros.core.eval.metrics import align_scale_shift_inverse, depth_metrics


def test_metrics_match_hand_computed_values():
    gt = np.array([[1.0, 2.0], [4.0, 5.0]], dtype=np.float32)
    pred = np.array([[1.1, 2.0], [5.0, 4.5]], dtype=np.float32)
    metrics = depth_metrics(pred, gt)
    assert metrics["abs_rel"] == pytest.approx((0.1 / 1 + 0 + 1.0 / 4 + 0.5 / 5) / 4, rel=1e-6)
    assert metrics["rmse"] == pytest.approx(np.sqrt((0.01 + 0 + 1 + 0.25) / 4), rel=1e-6)
    assert metrics["delta1"] == pytest.approx(3 / 4)  # 5 / 4 = 1.25 is not < 1.25
    assert metrics["valid_pixels"] == 4


def test_metrics_skip_pixels_without_ground_truth_or_prediction():
    gt = np.array([1.0, 0.0, np.nan, 2.0, np.inf, 3.0])
    pred = np.array([2.0, 5.0, 5.0, np.nan, 5.0, -1.0])
    metrics = depth_metrics(pred, gt)
    assert metrics["valid_pixels"] == 1
    assert metrics["abs_rel"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(1.0)
    assert metrics["delta1"] == 0.0


def test_metrics_pool_pixels_across_frames():
    gt = np.array([[[1.0, np.nan]], [[2.0, 4.0]]])
    pred = np.array([[[1.0, 3.0]], [[2.0, 2.0]]])
    metrics = depth_metrics(pred, gt)
    assert metrics["valid_pixels"] == 3
    assert metrics["abs_rel"] == pytest.approx(0.5 / 3)


def test_metrics_without_valid_pixels_are_nan():
    metrics = depth_metrics(np.ones((2, 2)), np.full((2, 2), np.nan))
    assert metrics["valid_pixels"] == 0
    assert np.isnan([metrics["abs_rel"], metrics["rmse"], metrics["delta1"]]).all()


def test_metrics_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        depth_metrics(np.ones((2, 3)), np.ones((3, 2)))


def test_alignment_recovers_known_scale_and_shift():
    rng = np.random.default_rng(0)
    gt = rng.uniform(1.0, 8.0, size=(30, 40))
    scale, shift = 0.02, 0.05
    pred_inverse = ((1.0 / gt - shift) / scale).astype(np.float32)
    gt_with_holes = gt.copy()
    gt_with_holes[::3, ::2] = np.nan
    depth = align_scale_shift_inverse(pred_inverse, gt_with_holes)
    assert depth.dtype == np.float32 and depth.shape == gt.shape
    np.testing.assert_allclose(depth, gt, rtol=1e-4)


def test_alignment_marks_non_positive_inverse_depth_nan():
    gt = np.array([1.0, 0.5, 0.25, np.nan])
    pred_inverse = np.array([1.0, 2.0, 4.0, -10.0])
    depth = align_scale_shift_inverse(pred_inverse, gt)
    np.testing.assert_allclose(depth[:3], gt[:3], rtol=1e-6)
    assert np.isnan(depth[3])


def test_alignment_needs_ground_truth():
    with pytest.raises(ValueError, match="cannot align"):
        align_scale_shift_inverse(np.ones((4, 4)), np.full((4, 4), np.nan))
