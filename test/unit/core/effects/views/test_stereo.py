"""Stereo: the right view of the real Middlebury Motorcycle pair rendered from the left view and ground-truth depth,
disocclusions filled from the background, the output formats and the relative mode."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.views.stereo import StereoParams, disparity_px, stereo
from monodepth_ros.core.eval.datasets import MOTORCYCLE_BASELINE_M, MOTORCYCLE_DOFFS_PX, MOTORCYCLE_FOCAL_PX
from monodepth_ros.testing.effect_scenes import motorcycle_scene

MIN_PSNR_DB = 22.0
"""Measured 23.1 dB. The left view itself scores 12.6 dB against the right one, and the same rendering without the
pair's principal-point offset 12.7 dB."""


def psnr_db(image: np.ndarray, reference: np.ndarray) -> float:
    error = np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return float(10.0 * np.log10(255.0 ** 2 / error))


def test_right_view_of_the_middlebury_pair_from_the_left_view_and_ground_truth_depth():
    from skimage.data import stereo_motorcycle

    _, right, _ = stereo_motorcycle()
    left, depth, intrinsics = motorcycle_scene()
    # The right camera's principal point lies doffs pixels further right, the shift of a convergence distance
    # f * B / doffs: x_right = x_left - f * B / Z + doffs.
    convergence_m = MOTORCYCLE_FOCAL_PX * MOTORCYCLE_BASELINE_M / MOTORCYCLE_DOFFS_PX
    params = StereoParams(stereo_format="right", stereo_mode="metric", baseline_m=MOTORCYCLE_BASELINE_M,
                          convergence_m=convergence_m)
    rendered = stereo(left, depth, intrinsics, params)
    assert rendered.shape == left.shape
    assert psnr_db(rendered, right[..., :3]) >= MIN_PSNR_DB
    parallel = stereo(left, depth, intrinsics, StereoParams(stereo_format="right", stereo_mode="metric",
                                                              baseline_m=MOTORCYCLE_BASELINE_M))
    assert psnr_db(parallel, right[..., :3]) < MIN_PSNR_DB - 8.0, "without doffs the view is off by 31 px"


WIDTH, HEIGHT = 160, 100
INTRINSICS = Intrinsics(200.0, 200.0, 79.5, 49.5, WIDTH, HEIGHT)


def square_scene() -> tuple[np.ndarray, np.ndarray]:
    """A red square at 1 m before a far wall of grey stripes (no red) at 10 m."""
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 1] = 60 + 120 * ((np.arange(WIDTH) // 4) % 2)[None, :]
    rgb[..., 2] = 90
    depth = np.full((HEIGHT, WIDTH), 10.0, np.float32)
    rgb[30:70, 60:100] = [255, 0, 0]
    depth[30:70, 60:100] = 1.0
    return rgb, depth


def test_disocclusions_fill_from_the_background_and_the_foreground_moves_by_its_disparity():
    rgb, depth = square_scene()
    params = StereoParams(stereo_format="right", stereo_mode="metric", baseline_m=0.1)
    disparity = disparity_px(depth, INTRINSICS, params)
    assert disparity[50, 80] == pytest.approx(200.0 * 0.1 / 1.0)
    right = stereo(rgb, depth, INTRINSICS, params)
    red = right[..., 0] > 128
    columns = np.flatnonzero(red[50])
    assert (columns.min(), columns.max()) == (40, 79), "the square moves 20 px left"
    assert not red[:, 80:].any(), "the uncovered strip right of it is background, not the square's colour"
    assert (right[50, 82:100, 1] >= 60).all()


def test_output_formats_and_relative_mode():
    rgb, depth = square_scene()
    for layout, shape in (("sbs", (HEIGHT, 2 * WIDTH, 3)), ("sbs-half", (HEIGHT, WIDTH, 3)),
                          ("tb", (2 * HEIGHT, WIDTH, 3)), ("anaglyph", (HEIGHT, WIDTH, 3))):
        out = stereo(rgb, depth, INTRINSICS, StereoParams(stereo_format=layout))
        assert out.shape == shape and out.dtype == np.uint8, layout
    sbs = stereo(rgb, depth, INTRINSICS, StereoParams(stereo_format="sbs"))
    np.testing.assert_array_equal(sbs[:, :WIDTH], rgb, "left half is the input")
    relative = StereoParams(divergence_pct=5.0, convergence=0.0)
    disparity = disparity_px(depth, INTRINSICS, relative)
    assert disparity.max() == pytest.approx(0.05 * WIDTH), "the nearest point gets divergence % of the width"
    assert disparity.min() == pytest.approx(0.0, abs=1e-4), "the farthest is on the screen plane"
    anaglyph = stereo(rgb, depth, INTRINSICS, StereoParams(stereo_format="anaglyph", divergence_pct=0.0))
    assert anaglyph[5, 5, 0] < anaglyph[50, 80, 0], "red comes from the left eye"
