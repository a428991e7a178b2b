"""Depth colouring, scale bars and side-by-side panels."""
import cv2
import numpy as np
import pytest

from monodepth_ros.core.viz.colorize import colorize_depth, side_by_side, with_scale_bar


def test_colorize_blacks_out_nan_and_reports_given_range():
    depth = np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]], dtype=np.float32)
    image, depth_range = colorize_depth(depth, 1.0, 5.0)
    assert image.dtype == np.uint8 and image.shape == (2, 3, 3)
    assert depth_range == (1.0, 5.0)
    assert (image[0, 2] == 0).all()
    assert (image[[0, 0, 1, 1, 1], [0, 1, 0, 1, 2]] > 0).any(axis=1).all()


def test_colorize_near_is_red_far_is_blue_and_clips_outside_range():
    depth = np.array([[0.5, 1.0, 5.0, 9.0]], dtype=np.float32)
    image, _ = colorize_depth(depth, 1.0, 5.0)
    turbo = cv2.cvtColor(cv2.applyColorMap(np.array([[255, 0]], dtype=np.uint8), cv2.COLORMAP_TURBO),
                         cv2.COLOR_BGR2RGB)[0]
    np.testing.assert_array_equal(image[0], [turbo[0], turbo[0], turbo[1], turbo[1]])
    assert turbo[0][0] > turbo[0][2] and turbo[1][2] > turbo[1][0]


def test_colorize_range_from_robust_percentiles_ignores_outliers():
    depth = np.linspace(2.0, 4.0, 1000, dtype=np.float32).reshape(10, 100)
    depth[0, 0] = 1000.0
    depth[0, 1] = np.nan
    _, (low, high) = colorize_depth(depth)
    assert 2.0 <= low < 2.1
    assert 3.9 < high <= 4.0


def test_colorize_rejects_all_nan_without_range_and_inverted_range():
    with pytest.raises(ValueError, match="no finite pixels"):
        colorize_depth(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="greater than"):
        colorize_depth(np.ones((3, 3)), 5.0, 1.0)


def test_scale_bar_adds_a_panel_on_the_right_and_keeps_the_image():
    image, (low, high) = colorize_depth(np.linspace(1.0, 4.0, 240 * 320).reshape(240, 320))
    with_bar = with_scale_bar(image, low, high)
    assert with_bar.dtype == np.uint8
    assert with_bar.shape[0] == 240 and with_bar.shape[1] > 320 and with_bar.shape[2] == 3
    np.testing.assert_array_equal(with_bar[:, :320], image)
    panel = with_bar[:, 320:]
    assert (panel == 255).all(axis=2).any(), "tick labels are drawn in white"


def test_side_by_side_pads_shorter_images_with_black():
    tall = np.full((4, 2, 3), 200, dtype=np.uint8)
    short = np.full((2, 3, 3), 100, dtype=np.uint8)
    joined = side_by_side(tall, short)
    assert joined.shape == (4, 5, 3) and joined.dtype == np.uint8
    assert (joined[:2, 2:] == 100).all() and (joined[2:, 2:] == 0).all()
    with pytest.raises(ValueError, match="uint8 RGB"):
        side_by_side(tall, np.zeros((2, 2), dtype=np.float32))
