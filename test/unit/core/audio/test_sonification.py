"""Obstacle sonification: an obstacle approaching from the left is louder on the left and rises in pitch; nothing
in range is silence; the sound glides without clicks and an offline track has the video's length."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.audio.sonification import SonificationConfig, Sonifier, sector_distances, sonify
from monodepth_ros.core.camera.intrinsics import Intrinsics

WIDTH, HEIGHT = 120, 80
INTRINSICS = Intrinsics(80.0, 80.0, 59.5, 39.5, WIDTH, HEIGHT)
CONFIG = SonificationConfig(sample_rate_hz=16000, update_rate_hz=10.0, sectors=5, min_range_m=0.5, max_range_m=4.0)


def obstacle_on_the_left(distance_m: float) -> np.ndarray:
    depth = np.full((HEIGHT, WIDTH), np.nan, np.float32)  # nothing seen (sky, no reading) ...
    depth[20:60, 5:25] = distance_m  # ... but a box in the leftmost sector
    return depth


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / rate)[np.argmax(spectrum)])


def test_an_obstacle_approaching_from_the_left_is_louder_left_and_rises_in_pitch():
    sonifier = Sonifier(CONFIG)
    loudness, pitch = [], []
    for distance in (3.5, 3.0, 2.5, 2.0, 1.5, 1.0):
        sonifier.frame(obstacle_on_the_left(distance), INTRINSICS)  # the glide from the last distance
        frame = sonifier.frame(obstacle_on_the_left(distance), INTRINSICS)
        left, right = np.sqrt((frame ** 2).mean(axis=0))
        assert left > 3.0 * right, "panned to the left"
        loudness.append(left)
        pitch.append(dominant_hz(frame[:, 0], CONFIG.sample_rate_hz))
    assert np.all(np.diff(loudness) > 0.0) and np.all(np.diff(pitch) > 0.0)
    nearness = (4.0 - sector_distances(obstacle_on_the_left(1.0), INTRINSICS, 5)[0][0]) / 3.5
    assert pitch[-1] == pytest.approx(220.0 * 4.0 ** nearness, abs=10.0), "low * (high / low) ** nearness"


def test_nothing_in_range_is_silence():
    sonifier = Sonifier(CONFIG)
    far = np.full((HEIGHT, WIDTH), 9.0, np.float32)
    np.testing.assert_array_equal(sonifier.frame(far, INTRINSICS), 0.0)
    np.testing.assert_array_equal(Sonifier(CONFIG).synthesise(None), 0.0)
    sonifier.frame(obstacle_on_the_left(1.0), INTRINSICS)
    assert np.abs(sonifier.synthesise(None)[-10:]).max() < 0.01, "no depth any more: fades out"
    np.testing.assert_array_equal(sonifier.frame(np.full((HEIGHT, WIDTH), np.nan, np.float32), INTRINSICS), 0.0)
    sonifier.frame(obstacle_on_the_left(1.0), INTRINSICS)
    fading = sonifier.frame(far, INTRINSICS)
    assert np.abs(fading[-10:]).max() < 0.01, "fades out within the frame"
    np.testing.assert_array_equal(sonifier.frame(far, INTRINSICS), 0.0)


def test_the_sound_has_no_clicks_between_frames():
    sonifier = Sonifier(CONFIG)
    track = np.concatenate([sonifier.frame(obstacle_on_the_left(d), INTRINSICS) for d in (2.0, 1.0, 3.0, 1.5)])
    # a sine of at most 880 Hz at amplitude <= 0.5 changes by at most 2 pi 880 / 16000 * 0.5 = 0.17 per sample
    assert np.abs(np.diff(track[:, 0])).max() < 0.2


def test_sectors_see_the_nearest_obstacle_by_ray_distance():
    depth = np.full((HEIGHT, WIDTH), 3.0, np.float32)
    depth[:, 100:] = 1.2
    distances, pan = sector_distances(depth, INTRINSICS, 5)
    assert distances[-1] == pytest.approx(1.2 * np.sqrt(1 + ((100 - 59.5) / 80) ** 2), rel=0.05)
    assert distances[2] == pytest.approx(3.0, rel=0.02)
    assert pan[0] < -0.7 and pan[-1] > 0.7 and pan[2] == pytest.approx(0.0, abs=0.02)


def test_an_offline_track_lasts_as_long_as_the_frames():
    stamps = np.arange(15) / 30.0
    track = sonify([obstacle_on_the_left(1.0)] * 15, INTRINSICS, stamps, CONFIG)
    assert track.shape == (int(round(15 / 30.0 * 16000)), 2) and track.dtype == np.float32
    assert np.sqrt((track[:, 0] ** 2).mean()) > 0.05


@pytest.mark.parametrize("settings, message", [({"min_range_m": 5.0}, "min_range_m < max_range_m"),
                                               ({"high_hz": 9000.0}, "half the sample rate"),
                                               ({"sectors": 0}, "sectors")])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        SonificationConfig(sample_rate_hz=16000, **settings)
