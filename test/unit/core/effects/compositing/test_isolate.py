"""Isolate: the depth matte, its refinement to the image's edges, and the background modes."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.compositing.isolate import IsolateParams, isolate, matte, resolved

WIDTH, HEIGHT = 160, 120
INTRINSICS = Intrinsics(150.0, 150.0, 79.5, 59.5, WIDTH, HEIGHT)
SUBJECT = (slice(30, 90), slice(50, 110))


def scene(depth_margin_px: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A red square at 1 m before a dark green wall at 4 m; the depth square is ``depth_margin_px`` larger than the
    image's (depth maps bleed over edges)."""
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 1] = 110
    rgb[SUBJECT] = [230, 20, 20]
    depth = np.full((HEIGHT, WIDTH), 4.0, np.float32)
    rows, columns = SUBJECT
    m = depth_margin_px
    depth[rows.start - m:rows.stop + m, columns.start - m:columns.stop + m] = 1.0
    return rgb, depth


def test_colour_background_replaces_everything_outside_the_depth_range():
    rgb, depth = scene()
    params = IsolateParams(subject="range", subject_near_m=0.5, subject_far_m=2.0, background="color",
                           background_color=(0, 0, 255), edge_radius_px=0)
    out = isolate(rgb, depth, INTRINSICS, params)
    np.testing.assert_array_equal(out[SUBJECT], rgb[SUBJECT])
    outside = np.ones((HEIGHT, WIDTH), bool)
    outside[SUBJECT] = False
    assert (out[outside] == [0, 0, 255]).all()


def test_edge_refinement_snaps_a_bleeding_depth_matte_to_the_image_edge():
    rgb, depth = scene(depth_margin_px=3)
    hard = matte(rgb, depth, IsolateParams(subject="range", subject_far_m=2.0, edge_radius_px=0))
    refined = matte(rgb, depth, IsolateParams(subject="range", subject_far_m=2.0, edge_radius_px=8))
    ring = np.zeros((HEIGHT, WIDTH), bool)
    ring[27:93, 47:113] = True
    ring[SUBJECT] = False
    assert hard[ring].mean() == 1.0, "the depth matte covers the ring of wall around the square"
    assert refined[ring].mean() < 0.15, "the image shows wall there"
    assert refined[SUBJECT].min() > 0.85


def test_blurred_background_carries_no_subject_colour_and_transparent_gives_alpha():
    rgb, depth = scene()
    out = isolate(rgb, depth, INTRINSICS, IsolateParams(background="blur", background_blur_px=15.0))
    rows, columns = SUBJECT
    beside = out[rows, columns.stop + 1:columns.stop + 15]
    assert beside[..., 0].max() <= 3, "the subject's red is not blurred into the background"
    rgba = isolate(rgb, depth, INTRINSICS, IsolateParams(background="transparent"))
    assert rgba.shape == (HEIGHT, WIDTH, 4)
    assert rgba[60, 80, 3] == 255 and rgba[5, 5, 3] == 0
    np.testing.assert_array_equal(rgba[..., :3], rgb)


def test_auto_range_splits_near_from_far_and_image_background(tmp_path):
    rgb, depth = scene()
    assert resolved(depth, IsolateParams()).subject_far_m == pytest.approx(2.0, rel=0.5)
    picture = np.zeros((30, 40, 3), np.uint8)
    picture[:] = [10, 200, 250]  # BGR on disk
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), picture)
    out = isolate(rgb, depth, INTRINSICS, IsolateParams(background="image", background_image=str(path)))
    assert (np.abs(out[5, 5].astype(int) - [250, 200, 10]) <= 1).all()
    with pytest.raises(ValueError, match="cannot read background image"):
        isolate(rgb, depth, INTRINSICS, IsolateParams(background="image", background_image=str(tmp_path / "x.png")))
    with pytest.raises(ValueError, match="needs background_image"):
        IsolateParams(background="image")
