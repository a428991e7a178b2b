"""The temporal stabiliser: flicker drops on a static scene, movers follow within a frame, resets, NaN, relative mode."""
import dataclasses

import cv2
import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.temporal.config import StabiliserConfig
from monodepth_ros.core.temporal.stabiliser import StabilisedDepth, TemporalStabiliser

WIDTH, HEIGHT = 160, 120
INTRINSICS = Intrinsics(120.0, 120.0, WIDTH / 2, HEIGHT / 2, WIDTH, HEIGHT)
FRAME_S = 1.0 / 30.0
PIXEL_NOISE = 0.02
SQUARE = 24
SQUARE_DEPTH_M = 1.0
BACKGROUND_M = 3.0


def textured_image(seed: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """Smooth random colour texture uint8 (H, W, 3), well tracked by optical flow."""
    coarse = np.random.default_rng(seed).integers(0, 256, (height // 6 + 1, width // 6 + 1, 3)).astype(np.uint8)
    return np.ascontiguousarray(cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC))


def smooth_depth(seed: int) -> np.ndarray:
    """float32 (H, W) metres between about 2 and 5."""
    coarse = np.random.default_rng(seed).random((4, 5)).astype(np.float32)
    return 2.0 + 3.0 * cv2.resize(coarse, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC).clip(0.0, 1.0)


def noisy(depth: np.ndarray, rng: np.random.Generator, scale_flicker: float = 0.02) -> np.ndarray:
    """The depth with a random global scale and per-pixel noise, as a per-frame model predicts it."""
    scale = 1.0 + scale_flicker * rng.standard_normal()
    return (depth * scale * (1.0 + PIXEL_NOISE * rng.standard_normal(depth.shape))).astype(np.float32)


def mean_relative_change(frames: list[np.ndarray]) -> float:
    """Mean |D(t+1) - D(t)| / D(t) over consecutive frames (static camera: every change is flicker)."""
    return float(np.mean([np.nanmean(np.abs(b - a) / a) for a, b in zip(frames, frames[1:])]))


def test_flicker_on_a_static_scene_drops_to_well_below_half():
    rng = np.random.default_rng(1)
    rgb, depth = textured_image(0), smooth_depth(0)
    stabiliser = TemporalStabiliser()
    raw, stabilised = [], []
    for index in range(30):
        prediction = noisy(depth, rng)
        result = stabiliser.update(rgb, prediction, INTRINSICS, index * FRAME_S)
        assert result.reset_reason is None
        raw.append(prediction)
        stabilised.append(result.depth)
    assert mean_relative_change(stabilised[10:]) < 0.4 * mean_relative_change(raw[10:])
    error = np.abs(np.mean(stabilised[10:], axis=0) / depth - 1.0)
    assert np.median(error) < 0.02, "the stabilised depth stays on the scene's depth"
    assert 0.8 < float(result.confidence.mean()) <= 1.0, "confidence rises as agreeing frames accumulate"


def test_output_shapes_types_and_confidence_of_the_first_frame():
    result = TemporalStabiliser().update(textured_image(0), smooth_depth(0), INTRINSICS, 0.0)
    assert isinstance(result, StabilisedDepth)
    assert result.depth.dtype == np.float32 and result.depth.shape == (HEIGHT, WIDTH)
    assert result.confidence.dtype == np.float32 and result.confidence.shape == (HEIGHT, WIDTH)
    np.testing.assert_array_equal(result.depth, smooth_depth(0))
    np.testing.assert_allclose(result.confidence, 0.5)
    assert result.reset_reason is None


def frame_with_square(background_rgb: np.ndarray, background_m: np.ndarray,
                      left: int) -> tuple[np.ndarray, np.ndarray]:
    """A bright textured square of SQUARE_DEPTH_M with its left edge at column ``left``, row 48."""
    rgb, depth = background_rgb.copy(), background_m.copy()
    rgb[48:48 + SQUARE, left:left + SQUARE] = textured_image(7, SQUARE, SQUARE) // 2 + 120
    depth[48:48 + SQUARE, left:left + SQUARE] = SQUARE_DEPTH_M
    return rgb, depth


def test_a_moving_square_is_followed_within_one_frame_without_a_ghost():
    rng = np.random.default_rng(2)
    background_rgb = textured_image(3)
    background_m = np.full((HEIGHT, WIDTH), BACKGROUND_M, dtype=np.float32)
    stabiliser = TemporalStabiliser()
    for index in range(12):
        rgb, depth = frame_with_square(background_rgb, background_m, 20)
        stabiliser.update(rgb, noisy(depth, rng, 0.0), INTRINSICS, index * FRAME_S)
    moved_to = 20 + SQUARE + 8
    rgb, depth = frame_with_square(background_rgb, background_m, moved_to)
    result = stabiliser.update(rgb, noisy(depth, rng, 0.0), INTRINSICS, 12 * FRAME_S)
    rows = slice(48 + 2, 48 + SQUARE - 2)
    square_now = result.depth[rows, moved_to + 2:moved_to + SQUARE - 2]
    uncovered = result.depth[rows, 22:20 + SQUARE - 2]
    assert np.median(np.abs(square_now / SQUARE_DEPTH_M - 1.0)) < 0.05
    assert np.median(np.abs(uncovered / BACKGROUND_M - 1.0)) < 0.05, "no ghost where the square was"
    assert np.mean(np.abs(uncovered / BACKGROUND_M - 1.0) > 0.2) < 0.02


def test_a_mover_changing_depth_takes_the_new_depth_at_once():
    rng = np.random.default_rng(4)
    rgb, depth = textured_image(5), smooth_depth(5)
    stabiliser = TemporalStabiliser()
    for index in range(10):
        stabiliser.update(rgb, noisy(depth, rng, 0.0), INTRINSICS, index * FRAME_S)
    nearer = depth.copy()
    nearer[40:80, 60:100] *= 0.7
    result = stabiliser.update(rgb, noisy(nearer, rng, 0.0), INTRINSICS, 10 * FRAME_S)
    region = result.depth[42:78, 62:98] / nearer[42:78, 62:98]
    assert np.median(np.abs(region - 1.0)) < 0.03
    assert result.confidence[42:78, 62:98].mean() < result.confidence[:30].mean()


def run_frames(stabiliser: TemporalStabiliser, count: int, start_s: float = 0.0) -> StabilisedDepth:
    rng = np.random.default_rng(6)
    rgb, depth = textured_image(8), smooth_depth(8)
    for index in range(count):
        result = stabiliser.update(rgb, noisy(depth, rng), INTRINSICS, start_s + index * FRAME_S)
    return result


def test_a_scene_cut_resets():
    stabiliser = TemporalStabiliser()
    run_frames(stabiliser, 5)
    result = stabiliser.update(textured_image(99), smooth_depth(99), INTRINSICS, 5 * FRAME_S)
    assert result.reset_reason is not None and result.reset_reason.startswith("scene cut")
    np.testing.assert_array_equal(result.depth, smooth_depth(99))
    np.testing.assert_allclose(result.confidence, 0.5)


@pytest.mark.parametrize("change, reason", [
    ("intrinsics", "camera intrinsics changed"),
    ("size", "image size changed from 160x120 to 80x60"),
    ("backwards", "stamp went backwards or repeated (-0.100 s)"),
    ("repeated", "stamp went backwards or repeated (+0.000 s)"),
    ("jump", "stamp jumped by 2.000 s (max_stamp_gap_s 0.5)"),
])
def test_a_changed_camera_or_a_broken_stamp_resets(change, reason):
    stabiliser = TemporalStabiliser()
    run_frames(stabiliser, 4)
    last_s = 3 * FRAME_S
    rgb, depth, intrinsics, stamp_s = textured_image(8), smooth_depth(8), INTRINSICS, last_s + FRAME_S
    if change == "intrinsics":
        intrinsics = dataclasses.replace(INTRINSICS, fx=130.0)
    elif change == "size":
        rgb, depth = rgb[::2, ::2].copy(), depth[::2, ::2].copy()
        intrinsics = Intrinsics(60.0, 60.0, 40.0, 30.0, 80, 60)
    elif change == "backwards":
        stamp_s = last_s - 0.1
    elif change == "repeated":
        stamp_s = last_s
    elif change == "jump":
        stamp_s = last_s + 2.0
    result = stabiliser.update(rgb, depth, intrinsics, stamp_s)
    assert result.reset_reason == reason
    np.testing.assert_array_equal(result.depth, depth)
    follow = stabiliser.update(rgb, depth, intrinsics, stamp_s + FRAME_S)
    assert follow.reset_reason is None


def test_reset_forgets_the_past():
    stabiliser = TemporalStabiliser()
    run_frames(stabiliser, 5)
    stabiliser.reset()
    result = stabiliser.update(textured_image(8), smooth_depth(8), INTRINSICS, 0.0)
    assert result.reset_reason is None
    np.testing.assert_array_equal(result.depth, smooth_depth(8))


def test_nan_input_gives_nan_and_zero_confidence_and_the_rest_is_stabilised():
    rng = np.random.default_rng(9)
    rgb, depth = textured_image(10), smooth_depth(10)
    stabiliser = TemporalStabiliser()
    holes = np.zeros((HEIGHT, WIDTH), dtype=bool)
    holes[10:30, 10:50] = True
    raw, stabilised = [], []
    for index in range(20):
        prediction = noisy(depth, rng)
        if index % 2:
            prediction[holes] = np.nan
            prediction[0, :] = -1.0
        result = stabiliser.update(rgb, prediction, INTRINSICS, index * FRAME_S)
        if index % 2:
            assert np.isnan(result.depth[holes]).all() and np.isnan(result.depth[0]).all()
            assert (result.confidence[holes] == 0.0).all()
        raw.append(prediction[~holes][WIDTH:])
        stabilised.append(result.depth[~holes][WIDTH:])
    assert np.isfinite(result.depth[~holes][WIDTH:]).all()
    assert mean_relative_change(stabilised[8:]) < 0.5 * mean_relative_change(raw[8:])
    after = stabiliser.update(rgb, noisy(depth, rng), INTRINSICS, 20 * FRAME_S)
    assert np.isfinite(after.depth).all(), "a pixel valid again takes the new value"


def test_relative_inverse_depth_keeps_one_scale_and_shift():
    rng = np.random.default_rng(11)
    rgb, inverse = textured_image(12), 1.0 / smooth_depth(12)
    stabiliser = TemporalStabiliser(relative_inverse=True)
    outputs = []
    for index in range(20):
        scale, shift = 1.0 + 0.2 * rng.standard_normal(), 0.1 * rng.standard_normal()
        prediction = (scale * inverse * (1.0 + PIXEL_NOISE * rng.standard_normal(inverse.shape)) + shift)
        if index == 0:
            first = (scale, shift)
        result = stabiliser.update(rgb, prediction.astype(np.float32), INTRINSICS, index * FRAME_S)
        outputs.append(result.depth)
    expected = first[0] * inverse + first[1]
    for output in outputs[5:]:
        assert np.median(np.abs(output / expected - 1.0)) < 0.03
    assert mean_relative_change(outputs[5:]) < 0.5 * PIXEL_NOISE


def test_a_time_constant_of_one_passes_every_frame_as_it_is():
    rng = np.random.default_rng(13)
    stabiliser = TemporalStabiliser(StabiliserConfig(time_constant_frames=1.0))
    rgb, depth = textured_image(14), smooth_depth(14)
    for index in range(4):
        prediction = noisy(depth, rng)
        result = stabiliser.update(rgb, prediction, INTRINSICS, index * FRAME_S)
        np.testing.assert_allclose(result.depth, prediction, rtol=1e-6)


@pytest.mark.parametrize("field, value, rule", [
    ("time_constant_frames", 0.5, "1 <= time_constant_frames <= 100"),
    ("noise_rel", 0.0, "0.001 <= noise_rel <= 1"),
    ("disagreement_sigmas", 30.0, "1 <= disagreement_sigmas <= 20"),
    ("photometric_threshold", 0.0, "1 <= photometric_threshold <= 255"),
    ("flow_consistency_px", 0.0, "0.1 <= flow_consistency_px <= 50"),
    ("min_tracked_fraction", 1.5, "0 <= min_tracked_fraction <= 1"),
    ("max_stamp_gap_s", 0.0, "0.001 <= max_stamp_gap_s <= 3600"),
    ("flow_width_px", 16, "32 <= flow_width_px <= 4096"),
])
def test_config_values_out_of_range_are_named(field, value, rule):
    with pytest.raises(ValueError, match=rule.replace("(", r"\(")):
        StabiliserConfig(**{field: value})


def test_bad_inputs_raise_value_errors():
    stabiliser = TemporalStabiliser()
    rgb, depth = textured_image(0), smooth_depth(0)
    with pytest.raises(ValueError, match="rgb must be uint8"):
        stabiliser.update(rgb.astype(np.float32), depth, INTRINSICS, 0.0)
    with pytest.raises(ValueError, match="depth must be float"):
        stabiliser.update(rgb, depth[:-1], INTRINSICS, 0.0)
    with pytest.raises(ValueError, match="stamp must be finite"):
        stabiliser.update(rgb, depth, INTRINSICS, float("nan"))
