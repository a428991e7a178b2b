"""Parallax: the pivot plane stays still, nearer content moves by the parallax of the camera offset, uncovered
background is filled from the background side, and the path amplitude in pixels."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.views.parallax import ParallaxParams, camera_offset, parallax, resolved

WIDTH, HEIGHT = 160, 120
INTRINSICS = Intrinsics(150.0, 150.0, 79.5, 59.5, WIDTH, HEIGHT)
PIVOT_M, NEAR_M = 3.0, 1.0


def scene() -> tuple[np.ndarray, np.ndarray]:
    """A wall of green/blue checks (no red) at the pivot distance with a red square at 1 m."""
    checks = ((np.arange(HEIGHT)[:, None] // 5 + np.arange(WIDTH)[None, :] // 5) % 2).astype(np.uint8)
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 1] = 80 + 120 * checks
    rgb[..., 2] = 200 - 120 * checks
    depth = np.full((HEIGHT, WIDTH), PIVOT_M, np.float32)
    rgb[45:75, 65:95] = [255, 0, 0]
    depth[45:75, 65:95] = NEAR_M
    return rgb, depth


def red_box(image: np.ndarray) -> tuple[int, int, int, int]:
    rows, columns = np.nonzero(image[..., 0] > 128)
    return rows.min(), rows.max(), columns.min(), columns.max()


def test_horizontal_move_keeps_the_pivot_plane_and_shifts_the_near_square_by_its_parallax():
    rgb, depth = scene()
    amplitude_m = 0.2
    params = ParallaxParams(path="horizontal", amplitude_m=amplitude_m, pivot_m=PIVOT_M, period_s=4.0, time_s=1.0)
    assert camera_offset(params) == pytest.approx((amplitude_m, 0.0, 0.0))
    out = parallax(rgb, depth, INTRINSICS, params)
    shift = -INTRINSICS.fx * amplitude_m * (1 / NEAR_M - 1 / PIVOT_M)
    top, bottom, left, right = red_box(out)
    assert (top, bottom) == (45, 74)
    assert left == pytest.approx(65 + shift, abs=1) and right == pytest.approx(94 + shift, abs=1)
    wall = np.ones((HEIGHT, WIDTH), bool)
    wall[40:80, 40:100] = False
    np.testing.assert_array_equal(out[wall], rgb[wall], "the pivot plane does not move")
    assert not (out[45:75, int(right) + 1:100, 0] > 128).any(), "the uncovered strip shows the wall, not the square"
    assert (out[45:75, int(right) + 2:95, 1] >= 80).all()


def test_vertical_path_moves_rows_and_dolly_magnifies_near_content():
    rgb, depth = scene()
    vertical = parallax(rgb, depth, INTRINSICS, ParallaxParams(path="vertical", amplitude_m=0.2, pivot_m=PIVOT_M,
                                                               time_s=1.0))
    top, bottom, left, right = red_box(vertical)
    assert (left, right) == (65, 94) and top < 45 - 10
    dolly = parallax(rgb, depth, INTRINSICS, ParallaxParams(path="still", dolly_m=0.3, pivot_m=PIVOT_M))
    top, bottom, left, right = red_box(dolly)
    assert right - left + 1 == pytest.approx(30 / (1 - 0.3 / NEAR_M), abs=1.5), "size grows by Z / (Z - tz)"


def test_amplitude_in_pixels_is_the_parallax_of_the_nearest_content():
    _, depth = scene()
    params = resolved(depth, INTRINSICS, ParallaxParams(path="horizontal", amplitude_px=15.0))
    assert params.pivot_m == pytest.approx(PIVOT_M, rel=0.01), "the pivot defaults to the subject"
    assert INTRINSICS.fx * params.amplitude_m / NEAR_M == pytest.approx(15.0, rel=1e-3)
