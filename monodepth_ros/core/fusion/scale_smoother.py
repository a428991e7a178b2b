"""Temporal filter of the fitted log scale across frames (the fusion's scale smoother)."""
from __future__ import annotations

import math

from monodepth_ros.core.fusion.config import ScaleSmootherConfig


class AdaptiveLogFilter:
    """Exponential filter of a log scale that clips unconfirmed large innovations and jumps to confirmed ones.

    The base gain is 1 - exp(-1 / time_constant_frames) (1 when that is 0: no smoothing) and the change threshold
    3 x noise_log. An innovation beyond the threshold is clipped to it, so one outlier frame moves the estimate by at
    most base gain x threshold; when the next innovation is beyond the threshold with the same sign, the change
    is taken as real and the estimate jumps to the measurement.
    """

    def __init__(self, config: ScaleSmootherConfig) -> None:
        time_constant = config.time_constant_frames
        self._base_gain = 1.0 if time_constant == 0.0 else 1.0 - math.exp(-1.0 / time_constant)
        self._change_threshold = 3.0 * config.noise_log
        self.reset()

    def reset(self) -> None:
        """Forget the estimate: the next measurement is taken as it is."""
        self._value: float | None = None
        self._last_change_sign = 0.0

    def update(self, measurement: float) -> float:
        """Feed one log-scale measurement; returns the filtered log scale."""
        if self._value is None or self._base_gain == 1.0:
            self._value = measurement
            return measurement
        innovation = measurement - self._value
        change_sign = math.copysign(1.0, innovation) if abs(innovation) > self._change_threshold else 0.0
        if change_sign != 0.0 and change_sign == self._last_change_sign:
            self._value = measurement
        else:
            limit = self._change_threshold
            self._value += self._base_gain * min(max(innovation, -limit), limit)
        self._last_change_sign = change_sign
        return self._value
