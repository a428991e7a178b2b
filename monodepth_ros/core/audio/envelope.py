"""Beat envelopes: a value in [0, 1] per video frame that jumps up at a beat and decays after it.

At a frame with a beat the envelope rises at once to the beat's strength (if that is higher than what is left of
the previous one); between beats it decays exponentially with the time constant decay_s:

    e(t) = max(s_beat, e(t_previous) * exp(-(t - t_previous) / decay_s)).

Each beat belongs to the video frame nearest to it, so the attack lands within half a frame of the beat.
"""
from __future__ import annotations

import math

import numpy as np


class BeatEnvelope:
    """The envelope, updated frame by frame (also for live beats, e.g. from a topic)."""

    def __init__(self, decay_s: float) -> None:
        if not decay_s > 0.0:
            raise ValueError(f"decay time must be positive, got {decay_s}")
        self.decay_s = float(decay_s)
        self.value = 0.0
        self._time_s: float | None = None

    def update(self, time_s: float, beat: float = 0.0) -> float:
        """The envelope at ``time_s`` (seconds, not decreasing) with a beat of strength ``beat`` (0 = none)."""
        if self._time_s is not None and time_s > self._time_s:
            self.value *= math.exp(-(time_s - self._time_s) / self.decay_s)
        self._time_s = time_s if self._time_s is None else max(time_s, self._time_s)
        self.value = max(self.value, min(max(float(beat), 0.0), 1.0))
        return self.value


class BeatCursor:
    """Hands each beat to the first video frame at or after half a frame before it: the nearest frame for a
    steady frame rate, and no beat is lost when frames come irregularly."""

    def __init__(self, beat_times_s: np.ndarray, strengths: np.ndarray, threshold: float = 0.0) -> None:
        beat_times_s, strengths = np.asarray(beat_times_s, np.float64), np.asarray(strengths, np.float64)
        order = np.argsort(beat_times_s, kind="stable")
        keep = strengths[order] >= threshold
        self._times, self._strengths = beat_times_s[order][keep], strengths[order][keep]
        self._next = 0

    def take(self, frame_time_s: float, half_frame_s: float) -> float:
        """The strongest beat not yet taken up to ``frame_time_s`` + ``half_frame_s``; 0 when there is none."""
        end = int(np.searchsorted(self._times, frame_time_s + half_frame_s, side="right"))
        level = float(self._strengths[self._next:end].max()) if end > self._next else 0.0
        self._next = max(self._next, end)
        return level


def envelope_per_frame(beat_times_s: np.ndarray, strengths: np.ndarray, frame_times_s: np.ndarray,
                       decay_s: float, threshold: float = 0.0) -> np.ndarray:
    """float64 (N,) envelope at each of the increasing ``frame_times_s`` (see the module docstring); beats
    weaker than ``threshold`` are ignored."""
    frame_times_s = np.asarray(frame_times_s, np.float64)
    half_frame = float(np.median(np.diff(frame_times_s))) / 2.0 if len(frame_times_s) > 1 else 0.0
    cursor, envelope = BeatCursor(beat_times_s, strengths, threshold), BeatEnvelope(decay_s)
    return np.array([envelope.update(time, cursor.take(time, half_frame)) for time in frame_times_s])
