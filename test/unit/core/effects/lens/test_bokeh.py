"""Bokeh: thin-lens blur sizes, a sharp subject kept exactly, no subject colour in the blurred background, a
blurred foreground spreading over what is behind it, and the focus modes."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.lens.bokeh import (BokehParams, blur_at_infinity_px, bokeh, focus_distance,
                                              signed_coc_px)
from monodepth_ros.core.effects.colour import to_linear

WIDTH, HEIGHT = 240, 180
INTRINSICS = Intrinsics(600.0, 600.0, (WIDTH - 1) / 2, (HEIGHT - 1) / 2, WIDTH, HEIGHT)
FOCUS_M = 1.5
LENS = BokehParams(focus="distance", focus_m=FOCUS_M, f_number=2.0, focal_length_mm=50.0)
SUBJECT = (slice(60, 120), slice(80, 160))


def thin_lens_diameter_px(depth_m: float) -> float:
    """c = fx * f / (N (S - f)) * |1 - S / Z|, written out for the test's lens."""
    focal_m = 0.05
    return 600.0 * focal_m / (2.0 * (FOCUS_M - focal_m)) * abs(1.0 - FOCUS_M / depth_m)


def test_blur_at_infinity_follows_the_thin_lens_and_max_blur_replaces_it():
    assert blur_at_infinity_px(INTRINSICS, LENS, FOCUS_M) == pytest.approx(600 * 0.05 / (2.0 * 1.45))
    assert blur_at_infinity_px(INTRINSICS, BokehParams(max_blur_px=17.0), FOCUS_M) == 17.0
    signed = signed_coc_px(np.array([[0.75, 1.5, 3.0, np.nan]], np.float32), 10.0, 1.5)
    np.testing.assert_allclose(signed, [[-10.0, 0.0, 5.0, 10.0]], atol=1e-5)


def textured_background(rng: np.random.Generator) -> np.ndarray:
    """Blocks of random green and blue, no red at all."""
    blocks = rng.integers(0, 256, (HEIGHT // 6 + 1, WIDTH // 6 + 1, 3)).astype(np.uint8)
    blocks[..., 0] = 0
    return np.repeat(np.repeat(blocks, 6, axis=0), 6, axis=1)[:HEIGHT, :WIDTH].copy()


@pytest.mark.parametrize("background_m", [6.0, 40.0])
def test_sharp_subject_is_unchanged_to_its_edge_and_does_not_leak_into_the_blurred_background(background_m):
    rng = np.random.default_rng(1)
    rgb = textured_background(rng)
    rgb[SUBJECT] = [230, 40, 40]
    depth = np.full((HEIGHT, WIDTH), background_m, np.float32)
    depth[SUBJECT] = FOCUS_M
    out = bokeh(rgb, depth, INTRINSICS, LENS)
    np.testing.assert_array_equal(out[SUBJECT], rgb[SUBJECT], "every subject pixel, edge included, is kept")
    subject = np.zeros((HEIGHT, WIDTH), bool)
    subject[SUBJECT] = True
    radius = int(np.ceil(thin_lens_diameter_px(background_m) / 2))
    beside = np.zeros_like(subject)
    rows, columns = SUBJECT
    beside[rows.start - radius:rows.stop + radius, columns.start - radius:columns.stop + radius] = True
    beside &= ~subject
    # Bound: the background has no red, so any red beside the subject is leaked subject colour; allowed: 1 level.
    assert out[beside, 0].max() <= 1
    changed = np.abs(out[beside].astype(int) - rgb[beside]).mean()
    assert changed > 10.0, "the background beside the subject is blurred"


def rms_radius(linear: np.ndarray, centre: tuple[int, int], half: int) -> tuple[float, float]:
    """Energy-weighted radius sqrt(2 E[r^2]) of a blur spot (a disc of radius R gives R) and its energy."""
    y, x = centre
    window = linear[y - half:y + half + 1, x - half:x + half + 1].mean(axis=2)
    yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
    energy = window.sum()
    return float(np.sqrt(2.0 * (window * (yy ** 2 + xx ** 2)).sum() / energy)), float(energy)


@pytest.mark.parametrize("point_depth_m", [1.8, 3.0, 6.0, 30.0, 0.9, 0.6])
def test_a_point_light_blurs_into_the_thin_lens_circle_of_confusion(point_depth_m):
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    centres = [(45, 60), (45, 180), (135, 60), (135, 180)]
    for y, x in centres:
        rgb[y, x] = 255
    depth = np.full((HEIGHT, WIDTH), point_depth_m, np.float32)
    out = to_linear(bokeh(rgb, depth, INTRINSICS, LENS))
    expected_radius = thin_lens_diameter_px(point_depth_m) / 2
    for centre in centres:
        radius, energy = rms_radius(out, centre, int(expected_radius) + 8)
        assert radius == pytest.approx(expected_radius, rel=0.05), f"blur radius at {point_depth_m} m"
        assert energy == pytest.approx(1.0, rel=0.03), "light is spread, not lost or made"


def test_blurred_foreground_spreads_over_the_sharp_subject_behind_it():
    rgb = np.full((HEIGHT, WIDTH, 3), 90, np.uint8)
    depth = np.full((HEIGHT, WIDTH), FOCUS_M, np.float32)
    bar = (slice(None), slice(100, 120))
    rgb[bar] = 255
    depth[bar] = 0.6
    out = bokeh(rgb, depth, INTRINSICS, LENS)
    radius = thin_lens_diameter_px(0.6) / 2
    row = out[90, :, 1].astype(int)
    assert (row[100 - int(radius) + 2:100] > 100).all(), "the bar's blur covers the sharp subject beside it"
    assert (row[:100 - int(radius) - 3] == 90).all(), "farther than its blur radius the subject stays sharp"
    assert (row[120 + int(radius) + 3:] == 90).all()


def test_focus_modes_select_the_distance():
    depth = np.full((HEIGHT, WIDTH), 5.0, np.float32)
    depth[40:150, 60:180] = 1.2
    assert focus_distance(depth, BokehParams(focus="distance", focus_m=3.3)) == 3.3
    assert focus_distance(depth, BokehParams(focus="pixel", focus_pixel=(10, 10))) == pytest.approx(5.0)
    assert focus_distance(depth, BokehParams(focus="pixel", focus_pixel=(-1, -1))) == pytest.approx(1.2)
    assert focus_distance(depth, BokehParams(focus="auto")) == pytest.approx(1.2, rel=0.02), "the near region"
    small = np.full((HEIGHT, WIDTH), 5.0, np.float32)
    small[:6, :6] = 1.0
    small[80:100, 110:130] = 3.0
    assert focus_distance(small, BokehParams(focus="auto")) == pytest.approx(5.0, rel=0.05), \
        "a tiny near corner is no subject"
    assert focus_distance(np.full((HEIGHT, WIDTH), np.nan, np.float32), BokehParams()) == 2.0


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="f_number must lie in"):
        BokehParams(f_number=0.1)
    with pytest.raises(ValueError, match="focus must be one of"):
        BokehParams(focus="sharp")
