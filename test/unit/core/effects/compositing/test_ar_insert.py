"""AR insertion: the virtual object is hidden exactly where a nearer real thing is, shows elsewhere, is drawn where
the intrinsics put it, and stays in place on video while the camera turns."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.animator import EffectAnimator
from monodepth_ros.core.effects.compositing.anchor import RotationTracker
from monodepth_ros.core.effects.compositing.ar_insert import ArInsertParams, ar_insert, coverage, render_object
from monodepth_ros.core.effects.registry import get_effect

WIDTH, HEIGHT = 160, 120
INTRINSICS = Intrinsics(100.0, 100.0, 79.5, 59.5, WIDTH, HEIGHT)
BOX_ROWS, BOX_COLUMNS = slice(30, 90), slice(40, 80)


def scene_with_a_near_box() -> tuple[np.ndarray, np.ndarray]:
    """(rgb grey, depth: a wall at 4 m and a box 1 m away at BOX_ROWS x BOX_COLUMNS)."""
    depth = np.full((HEIGHT, WIDTH), 4.0, np.float32)
    depth[BOX_ROWS, BOX_COLUMNS] = 1.0
    return np.full((HEIGHT, WIDTH, 3), 128, np.uint8), depth


def test_an_object_behind_the_box_is_hidden_exactly_where_the_box_is():
    rgb, depth = scene_with_a_near_box()
    params = ArInsertParams(object_position_m=(0.0, 0.0, 2.0), object_size_m=(1.2, 0.8, 0.1))
    _, opacity = coverage(depth, INTRINSICS, params)
    _, alpha, _ = render_object(INTRINSICS, params)
    drawn = alpha > 0.5
    box = np.zeros_like(drawn)
    box[BOX_ROWS, BOX_COLUMNS] = True
    near_edge = cv2.dilate(box.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool) & ~box
    assert (drawn & box).sum() > 1000 and (drawn & ~box & ~near_edge).sum() > 1000
    assert opacity[box].max() < 0.01, "hidden behind the nearer box"
    assert opacity[drawn & ~box & ~near_edge].min() > 0.99, "visible in front of the wall"
    assert opacity[~drawn].max() == 0.0
    out = ar_insert(rgb, depth, INTRINSICS, params)
    np.testing.assert_array_equal(out[box], rgb[box])
    assert np.abs(out[drawn & ~box & ~near_edge].astype(int) - 128).max(axis=1).min() > 40


def test_an_object_in_front_of_the_box_covers_it_and_missing_depth_counts_as_far():
    rgb, depth = scene_with_a_near_box()
    depth[:, :20] = np.nan
    params = ArInsertParams(object_position_m=(0.0, 0.0, 0.6), object_size_m=(0.9, 0.7, 0.1))
    _, opacity = coverage(depth, INTRINSICS, params)
    _, alpha, _ = render_object(INTRINSICS, params)
    assert alpha[:, :20].max() == 1.0
    np.testing.assert_allclose(opacity[alpha > 0.0], alpha[alpha > 0.0], atol=0.01)


def test_the_billboard_lands_where_the_intrinsics_project_it():
    params = ArInsertParams(object_position_m=(0.5, -0.2, 2.5), object_size_m=(0.4, 0.3, 0.1), depth_tolerance=0.0)
    _, alpha, depth = render_object(INTRINSICS, params)
    rows, columns = np.nonzero(alpha > 0.5)
    # x = fx * X / Z + cx: the centre and the width 0.4 m at 2.5 m (16 px) and height 0.3 m (12 px)
    assert abs(columns.mean() - (100.0 * 0.5 / 2.5 + 79.5)) < 0.6 and abs(rows.mean() - (100.0 * -0.2 / 2.5 + 59.5)) < 0.6
    assert abs(columns.max() - columns.min() + 1 - 16) <= 1 and abs(rows.max() - rows.min() + 1 - 12) <= 1
    np.testing.assert_allclose(depth[alpha > 0.5], 2.5, rtol=1e-5)


def test_a_box_shows_its_near_face_and_its_sides_at_their_depths():
    params = ArInsertParams(object_shape="box", object_position_m=(0.6, 0.0, 3.0), object_size_m=(0.5, 0.5, 1.0))
    _, alpha, depth = render_object(INTRINSICS, params)
    shown = depth[alpha > 0.5]
    assert shown.min() == pytest.approx(2.5, abs=0.01) and shown.max() > 2.9, "front face at 2.5 m, side beyond"


def test_a_cut_out_texture_leaves_its_transparent_part_unseen(tmp_path):
    texture = np.zeros((20, 20, 4), np.uint8)
    texture[:, :10] = (0, 0, 255, 255)  # opaque red (BGRA) on the left half, transparent right half
    path = tmp_path / "sticker.png"
    cv2.imwrite(str(path), texture)
    params = ArInsertParams(object_image=str(path), object_position_m=(0.0, 0.0, 2.0), object_size_m=(1.0, 1.0, 0.1))
    colour, alpha, _ = render_object(INTRINSICS, params)
    # 1 m at 2 m: 50 px wide about cx = 79.5; the left half opaque red, the right half not drawn
    assert alpha[60, 56:78].min() == 1.0 and alpha[60, 82:104].max() == 0.0 and alpha[60, 106:].max() == 0.0
    assert colour[60, 60, 0] > 0.9 and colour[60, 60, 1] < 0.01


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="in front of the camera"):
        ArInsertParams(object_position_m=(0.0, 0.0, -1.0))
    with pytest.raises(ValueError, match="cannot read the object image"):
        render_object(INTRINSICS, ArInsertParams(object_image="/no/such/texture.png"))


def turned_view(texture: np.ndarray, rotation_vector: tuple[float, float, float]) -> np.ndarray:
    """The far textured scene seen by the camera turned by the rotation vector (a pure-rotation homography)."""
    rotation, _ = cv2.Rodrigues(np.asarray(rotation_vector, np.float64))
    k = INTRINSICS.matrix
    homography = k @ rotation @ np.linalg.inv(k)
    return cv2.warpPerspective(texture, homography, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REFLECT)


def test_the_rotation_of_a_turning_camera_is_tracked():
    rng = np.random.default_rng(3)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT, WIDTH, 3)).astype(np.uint8), (0, 0), 1.5)
    tracker = RotationTracker()
    for step in range(6):
        rotation = tracker.update(turned_view(texture, (0.0, 0.01 * step, 0.002 * step)), INTRINSICS)
    np.testing.assert_allclose(cv2.Rodrigues(rotation)[0].reshape(3), (0.0, 0.05, 0.01), atol=0.004)


def test_on_video_the_object_stays_anchored_in_the_world_while_the_camera_turns():
    rng = np.random.default_rng(4)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT, WIDTH, 3)).astype(np.uint8), (0, 0), 1.5)
    depth = np.full((HEIGHT, WIDTH), 10.0, np.float32)
    centres = {}
    for anchor in ("world", "camera"):
        params = ArInsertParams(object_position_m=(0.0, 0.0, 3.0), object_size_m=(0.6, 0.6, 0.1), anchor=anchor)
        animator = EffectAnimator(get_effect("ar-insert"), params, smoothing_s=0.0)
        centres[anchor] = []
        for step in range(5):
            frame = turned_view(texture, (0.0, 0.02 * step, 0.0))
            out, _ = animator.render(frame, depth, INTRINSICS, step / 30.0)
            changed = np.abs(out.astype(int) - frame.astype(int)).max(axis=2) > 60
            centres[anchor].append(np.nonzero(changed)[1].mean())
    # a turn by 0.02 rad moves far things by fx * tan(0.02) = 2 px per frame: the world-anchored object with them
    np.testing.assert_allclose(np.diff(centres["world"]), 100.0 * np.tan(0.02), atol=0.5)
    np.testing.assert_allclose(centres["camera"], 79.5, atol=0.5)
