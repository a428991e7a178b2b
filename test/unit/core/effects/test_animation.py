"""Motion over time: the critically damped spring, rack focus, and the animator's smoothing and beat modes."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.animation import CriticallyDampedSpring, keyframed
from monodepth_ros.core.effects.animator import EffectAnimator, beat_mode_error
from monodepth_ros.core.effects.lens.rack_focus import RackFocusParams, focus_at
from monodepth_ros.core.effects.registry import get_effect

WIDTH, HEIGHT = 96, 64
INTRINSICS = Intrinsics(80.0, 80.0, 47.5, 31.5, WIDTH, HEIGHT)


def test_spring_settles_within_two_percent_at_the_settle_time_without_overshoot_at_any_frame_rate():
    coarse, fine = CriticallyDampedSpring(0.5, 0.0), CriticallyDampedSpring(0.5, 0.0)
    path = [fine.step(1.0, 0.5 / 500) for _ in range(500)]
    assert coarse.step(1.0, 0.5) == pytest.approx(fine.value, abs=1e-9), "exact steps: frame rate independent"
    assert fine.value == pytest.approx(0.98, abs=0.002)
    assert np.all(np.diff(path) >= 0.0) and max(path) <= 1.0, "no overshoot"
    with pytest.raises(ValueError):
        CriticallyDampedSpring(0.0, 1.0)


def test_rack_focus_holds_then_moves_to_the_new_distance_in_dioptres():
    params = RackFocusParams(rack_from_m=1.0, rack_to_m=4.0, rack_at_s=1.0, settle_s=0.5)
    at = lambda time_s: focus_at(RackFocusParams(**{**params.__dict__, "time_s": time_s}))  # noqa: E731
    assert at(0.0) == pytest.approx(1.0) and at(0.99) == pytest.approx(1.0)
    dioptres = 1.0 / at(1.5)
    assert dioptres == pytest.approx(0.25 + 0.02 * 0.75, abs=0.003), "within 2 % after the settle time"
    samples = [at(t) for t in np.linspace(1.0, 2.0, 30)]
    assert np.all(np.diff(samples) > -1e-9)
    assert keyframed([(0.0, 2.0), (1.0, 5.0), (3.0, 1.0)], 0.2, 2.9) == pytest.approx(5.0, abs=1e-3)
    with pytest.raises(ValueError, match="pairs"):
        RackFocusParams(focus_keyframes=(0.0, 1.0, 2.0))


def frame(near_m: float) -> tuple[np.ndarray, np.ndarray]:
    rgb = np.full((HEIGHT, WIDTH, 3), 120, np.uint8)
    depth = np.full((HEIGHT, WIDTH), 6.0, np.float32)
    depth[10:54, 20:76] = near_m
    return rgb, depth


def test_auto_focus_glides_to_a_new_subject_distance():
    animator = EffectAnimator(get_effect("bokeh"), get_effect("bokeh").defaults(), smoothing_s=0.5)
    rgb, depth = frame(1.0)
    _, first = animator.render(rgb, depth, INTRINSICS, 0.0)
    assert first["focus_m"] == pytest.approx(1.0, rel=0.02)
    rgb, depth = frame(2.0)
    _, next_frame = animator.render(rgb, depth, INTRINSICS, 1 / 30)
    _, settled = animator.render(rgb, depth, INTRINSICS, 1.0)
    assert 1.0 < next_frame["focus_m"] < 1.2, "no jump from one frame to the next"
    assert settled["focus_m"] == pytest.approx(2.0, rel=0.02)


def test_beat_modes_drive_their_parameter_and_check_the_effect():
    rgb, depth = frame(1.0)
    pull = EffectAnimator(get_effect("bokeh"), get_effect("bokeh").defaults(), "focus-pull", smoothing_s=0.0)
    assert pull.render(rgb, depth, INTRINSICS, 0.0, 0.0)[1]["focus_m"] == pytest.approx(1.0, rel=0.02)
    assert pull.render(rgb, depth, INTRINSICS, 0.1, 1.0)[1]["focus_m"] == pytest.approx(6.0, rel=0.05), \
        "a full beat pulls focus to the background"
    fog = EffectAnimator(get_effect("fog"), get_effect("fog").defaults(), "fog-pulse", beat_strength=2.0)
    assert fog.render(rgb, depth, INTRINSICS, 0.0, 0.5)[1]["density"] == pytest.approx(0.15 * 2.0)
    punch = EffectAnimator(get_effect("parallax"), get_effect("parallax").defaults(), "parallax-punch")
    assert punch.render(rgb, depth, INTRINSICS, 0.0, 1.0)[1]["dolly_m"] > 0.1
    zoom = EffectAnimator(get_effect("stereo"), get_effect("stereo").defaults(), "zoom-punch")
    image, animated = zoom.render(rgb, depth, INTRINSICS, 0.0, 1.0)
    assert animated["zoom"] == pytest.approx(1.1) and image.shape == (HEIGHT, 2 * WIDTH, 3)
    assert beat_mode_error("fog-pulse", "bokeh") == "beat mode fog-pulse works with the fog effect, not bokeh"
    assert "unknown beat mode" in beat_mode_error("wobble", "fog")
    with pytest.raises(ValueError):
        EffectAnimator(get_effect("fog"), get_effect("fog").defaults(), "focus-pull")
