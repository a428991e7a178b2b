"""The fusion's scale smoother: exponential filter of the log scale that clips outliers and follows real steps."""
import math

import numpy as np
import pytest

from monodepth_ros.core.fusion.config import ScaleSmootherConfig
from monodepth_ros.core.fusion.scale_smoother import AdaptiveLogFilter

NOISE_LOG = 0.02
THRESHOLD = 3.0 * NOISE_LOG
"""Innovations beyond this are clipped unless confirmed (3 x noise_log)."""


def settled_filter(time_constant_frames: float = 5.0, value: float = 0.0) -> AdaptiveLogFilter:
    smoother = AdaptiveLogFilter(ScaleSmootherConfig(time_constant_frames, NOISE_LOG))
    for _ in range(3):
        assert smoother.update(value) == value
    return smoother


def test_the_first_measurement_is_taken_as_it_is():
    assert AdaptiveLogFilter(ScaleSmootherConfig()).update(0.7) == 0.7


@pytest.mark.parametrize("time_constant_frames", [2.0, 5.0, 20.0])
def test_a_small_change_is_approached_with_the_time_constant(time_constant_frames):
    smoother = settled_filter(time_constant_frames)
    step = 0.9 * THRESHOLD
    values = np.array([smoother.update(step) for _ in range(40)])
    frames = np.arange(1, 41)
    np.testing.assert_allclose(values, step * (1.0 - np.exp(-frames / time_constant_frames)), rtol=1e-9)
    assert values[round(time_constant_frames) - 1] == pytest.approx(step * (1.0 - math.exp(-1.0)), rel=1e-9)


def test_time_constant_zero_turns_smoothing_off():
    smoother = settled_filter(0.0)
    measurements = [0.3, -0.2, 0.25, 0.25, 1.0]
    assert [smoother.update(m) for m in measurements] == measurements


def test_a_one_frame_outlier_is_clipped_to_the_change_threshold():
    smoother = settled_filter(5.0)
    base_gain = 1.0 - math.exp(-1.0 / 5.0)
    assert smoother.update(1.0) == pytest.approx(base_gain * THRESHOLD, rel=1e-12)
    after = [smoother.update(0.0) for _ in range(10)]
    assert abs(after[0]) < base_gain * THRESHOLD, "decays back, no jump"
    assert np.all(np.diff(np.abs(after)) < 0.0)


def test_a_confirmed_step_is_followed_fully_on_its_second_frame():
    smoother = settled_filter(5.0)
    first = smoother.update(0.3)
    assert first < THRESHOLD, "one frame alone is not trusted"
    assert smoother.update(0.3) == 0.3
    assert [smoother.update(0.3) for _ in range(3)] == [0.3] * 3


def test_large_changes_of_opposite_sign_are_not_a_confirmed_step():
    smoother = settled_filter(5.0)
    values = [smoother.update(m) for m in (0.3, -0.3, 0.3, -0.3)]
    assert max(abs(v) for v in values) <= THRESHOLD


def test_reset_forgets_the_estimate():
    smoother = settled_filter(5.0, value=0.5)
    smoother.update(2.0)
    smoother.reset()
    assert smoother.update(-1.0) == -1.0
    assert smoother.update(-1.0 + 0.9 * THRESHOLD) < -1.0 + 0.9 * THRESHOLD, "smoothing again after the restart"


def test_invalid_smoother_settings_are_named():
    with pytest.raises(ValueError, match="ScaleSmootherConfig: need time_constant_frames >= 0, noise_log > 0"):
        ScaleSmootherConfig(time_constant_frames=-1.0, noise_log=0.0)
