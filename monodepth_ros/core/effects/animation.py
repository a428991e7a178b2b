"""Smooth motion of effect parameters over time: a critically damped spring.

A spring x'' = w^2 (target - x) - 2 w x' with damping ratio 1 reaches a new target as fast as a spring can
without overshooting: after a step the remaining error is (1 + w t) e^(-w t) of the step, 2 % at
t = 5.834 / w, the settle time. ``step`` advances the exact solution, so the motion does not depend on the frame
rate; a rack of focus between keyframes is a pure function of time.
"""
from __future__ import annotations

import math

SETTLE_FACTOR = 5.834
"""w * t at which a critically damped step response is within 2 % of the target."""


class CriticallyDampedSpring:
    """A value following a target with the critically damped spring whose 2 % settle time is ``settle_s``."""

    def __init__(self, settle_s: float, value: float, velocity: float = 0.0) -> None:
        if not settle_s > 0.0:
            raise ValueError(f"settle time must be positive, got {settle_s}")
        self.omega = SETTLE_FACTOR / settle_s
        self.value = float(value)
        self.velocity = float(velocity)

    def step(self, target: float, dt_s: float) -> float:
        """Advance by ``dt_s`` seconds towards ``target`` (held constant meanwhile); returns the new value."""
        if dt_s <= 0.0:
            return self.value
        error = self.value - target
        decay = math.exp(-self.omega * dt_s)
        drift = self.velocity + self.omega * error
        self.value = target + (error + drift * dt_s) * decay
        self.velocity = (self.velocity - self.omega * drift * dt_s) * decay
        return self.value


def keyframed(keyframes: list[tuple[float, float]], settle_s: float, time_s: float) -> float:
    """The value at ``time_s`` of a spring that starts at rest at the first keyframe's value and, at each later
    keyframe's time, starts moving to its value. ``keyframes``: (time_s, value) sorted by time."""
    spring = CriticallyDampedSpring(settle_s, keyframes[0][1])
    now, target = keyframes[0][0], keyframes[0][1]
    for key_time, value in keyframes[1:]:
        if key_time > time_s:
            break
        spring.step(target, key_time - now)
        now, target = key_time, value
    return spring.step(target, time_s - now) if time_s > now else spring.value
