"""Obstacle sonification: depth images as stereo sound that tells where the nearest obstacles are.

The horizontal field of view is split into ``sectors`` equal azimuth sectors. In each, the obstacle distance is a
low percentile (NEAREST_PERCENTILE, robust to stray pixels) of the ray distances d = z * |K^-1 [u, v, 1]| of its
valid pixels. An obstacle within [min_range_m, max_range_m] has nearness n = (max - d) / (max - min) in [0, 1]
and sounds a sine tone of frequency low * (high / low)^n (nearer = higher), amplitude volume * n^LOUDNESS_EXPONENT
(nearer = louder), panned by the sector's azimuth with the equal-power law (left = cos((p + 1) pi / 4), right =
sin((p + 1) pi / 4), p = azimuth / half the field of view, -1 left, +1 right). Nothing in range: silence.
Frequency and amplitude glide linearly over each audio frame and phases carry on, so the sound has no clicks; the
mix is scaled down only when it would clip.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics

NEAREST_PERCENTILE = 5.0
LOUDNESS_EXPONENT = 1.5
STEP = 2
"""Every STEP-th row and column is looked at (plenty for a few sectors)."""


@dataclass(frozen=True)
class SonificationConfig:
    """Settings of the sonifier (validated on creation)."""

    sample_rate_hz: int = 22050
    update_rate_hz: float = 10.0
    """Audio frames per second: each frame is sample_rate_hz / update_rate_hz samples long."""
    sectors: int = 5
    min_range_m: float = 0.3
    """Obstacles at or nearer than this sound loudest and highest."""
    max_range_m: float = 4.0
    """Obstacles beyond this are silent."""
    low_hz: float = 220.0
    high_hz: float = 880.0
    volume: float = 0.5
    """Amplitude (0..1) of one obstacle at the nearest range."""

    def __post_init__(self) -> None:
        checks = ((8000 <= self.sample_rate_hz <= 192000, "sample_rate_hz must lie in [8000, 192000]"),
                  (0.5 <= self.update_rate_hz <= 200.0, "update_rate_hz must lie in [0.5, 200]"),
                  (1 <= self.sectors <= 32, "sectors must lie in [1, 32]"),
                  (0.0 < self.min_range_m < self.max_range_m, "need 0 < min_range_m < max_range_m"),
                  (20.0 <= self.low_hz < self.high_hz < self.sample_rate_hz / 2,
                   "need 20 <= low_hz < high_hz < half the sample rate"),
                  (0.0 <= self.volume <= 1.0, "volume must lie in [0, 1]"))
        for passed, message in checks:
            if not passed:
                raise ValueError(message)

    @property
    def frame_samples(self) -> int:
        return max(int(round(self.sample_rate_hz / self.update_rate_hz)), 1)


def sector_distances(depth_m: np.ndarray, intrinsics: Intrinsics, sectors: int) -> tuple[np.ndarray, np.ndarray]:
    """(distance float64 (S,) metres, NaN where a sector has no depth; pan float64 (S,) of each sector's centre,
    its azimuth over half the field of view, -1 left .. 1 right) of ``depth_m`` float (H, W) along the optical
    axis (any resolution of the view of ``intrinsics``)."""
    height, width = depth_m.shape
    scale_x, scale_y = width / intrinsics.width, height / intrinsics.height
    columns = np.arange(0, width, STEP)
    rows = np.arange(0, height, STEP)
    x = (columns - intrinsics.cx * scale_x) / (intrinsics.fx * scale_x)
    y = (rows - intrinsics.cy * scale_y) / (intrinsics.fy * scale_y)
    depth = np.asarray(depth_m, np.float64)[::STEP, ::STEP]
    with np.errstate(invalid="ignore"):
        distance = depth * np.sqrt(1.0 + x[None, :] ** 2 + y[:, None] ** 2)
        distance[~(np.isfinite(distance) & (depth > 0.0))] = np.nan
    azimuth = np.arctan(x)
    edges = np.linspace(azimuth[0], azimuth[-1], sectors + 1)
    index = np.clip(np.searchsorted(edges, azimuth, side="right") - 1, 0, sectors - 1)
    nearest = np.full(sectors, np.nan)
    for sector in range(sectors):
        values = distance[:, index == sector]
        values = values[np.isfinite(values)]
        if values.size:
            nearest[sector] = np.percentile(values, NEAREST_PERCENTILE)
    half_fov = max(abs(edges[0]), abs(edges[-1]), 1e-9)
    return nearest, 0.5 * (edges[1:] + edges[:-1]) / half_fov


@dataclass(frozen=True)
class SectorTones:
    """What each of S sectors sounds like for one depth image."""

    distance_m: np.ndarray
    """float64 (S,): the obstacle distance, NaN where the sector has no depth."""
    frequency_hz: np.ndarray
    amplitude: np.ndarray
    gains: np.ndarray
    """float64 (S, 2): left and right gains of the pan."""


class Sonifier:
    """Turns depth images into stereo audio frames, keeping oscillator phases from frame to frame."""

    def __init__(self, config: SonificationConfig = SonificationConfig()) -> None:
        self.config = config
        self._phase = np.zeros(config.sectors)
        self._frequency = np.full(config.sectors, config.low_hz)
        self._amplitude = np.zeros(config.sectors)
        self._gains: np.ndarray | None = None

    def targets(self, depth_m: np.ndarray, intrinsics: Intrinsics) -> SectorTones:
        """The tone of each sector for ``depth_m`` float (H, W), metres along the optical axis; None = silence."""
        config = self.config
        distances, pan = sector_distances(depth_m, intrinsics, config.sectors)
        with np.errstate(invalid="ignore"):
            nearness = np.clip((config.max_range_m - distances) / (config.max_range_m - config.min_range_m), 0.0, 1.0)
        nearness = np.where(np.isfinite(nearness), nearness, 0.0)
        angle = (pan + 1.0) * math.pi / 4.0
        return SectorTones(distances, config.low_hz * (config.high_hz / config.low_hz) ** nearness,
                           config.volume * nearness ** LOUDNESS_EXPONENT,
                           np.stack([np.cos(angle), np.sin(angle)], axis=1))

    def synthesise(self, tones: SectorTones | None, samples: int | None = None) -> np.ndarray:
        """float32 (N, 2) left/right samples in [-1, 1] gliding from the last tones to ``tones`` (None: to
        silence); N = ``samples`` or the config's frame length."""
        count = self.config.frame_samples if samples is None else int(samples)
        if tones is None and self._gains is None:
            return np.zeros((count, 2), np.float32)
        if tones is None:
            tones = SectorTones(np.full(self.config.sectors, np.nan), self._frequency,
                                np.zeros(self.config.sectors), self._gains)
        if self._gains is None:
            self._frequency = tones.frequency_hz
        ramp = (np.arange(1, count + 1) / count)[:, None]  # (N, 1)
        frequencies = self._frequency + ramp * (tones.frequency_hz - self._frequency)  # (N, S)
        amplitudes = self._amplitude + ramp * (tones.amplitude - self._amplitude)
        phases = self._phase + np.cumsum(2.0 * math.pi * frequencies / self.config.sample_rate_hz, axis=0)
        self._phase = np.mod(phases[-1], 2.0 * math.pi)
        self._frequency, self._amplitude, self._gains = tones.frequency_hz, tones.amplitude, tones.gains
        stereo = (amplitudes * np.sin(phases)) @ tones.gains  # (N, 2)
        peak = float(np.abs(stereo).max(initial=0.0))
        if peak > 1.0:
            stereo /= peak
        return stereo.astype(np.float32)

    def frame(self, depth_m: np.ndarray, intrinsics: Intrinsics, samples: int | None = None) -> np.ndarray:
        """float32 (N, 2): the next audio frame for ``depth_m`` (see ``targets`` and ``synthesise``)."""
        return self.synthesise(self.targets(depth_m, intrinsics), samples)


def sonify(depth_frames, intrinsics: Intrinsics, stamps_s: np.ndarray, config: SonificationConfig) -> np.ndarray:
    """float32 (N, 2): a sound track for depth frames (iterable of float (H, W) metres) shown at ``stamps_s``
    (seconds, increasing, from 0): each frame sounds until the next one (the last for one mean frame period)."""
    stamps = np.asarray(stamps_s, np.float64)
    period = float(np.median(np.diff(stamps))) if len(stamps) > 1 else 1.0 / config.update_rate_hz
    ends = np.append(stamps[1:], stamps[-1] + period) if len(stamps) else stamps
    sonifier = Sonifier(config)
    chunks, written = [], 0
    for depth, end_s in zip(depth_frames, ends):
        count = int(round(end_s * config.sample_rate_hz)) - written
        if count > 0:
            chunks.append(sonifier.frame(depth, intrinsics, count))
            written += count
    return np.concatenate(chunks) if chunks else np.zeros((0, 2), np.float32)
