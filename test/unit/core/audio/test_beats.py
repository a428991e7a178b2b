"""Beat and onset tracking on click tracks, and the beat envelope per video frame."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.audio.beats import detect_onsets, track_beats
from monodepth_ros.core.audio.envelope import BeatCursor, BeatEnvelope, envelope_per_frame
from monodepth_ros.testing.effect_scenes import click_track

SAMPLE_RATE = 22050
FRAME_S = 1.0 / 30.0


def within_one_frame(truth: np.ndarray, found: np.ndarray) -> float:
    """Share of ``truth`` times with a found time within one 30 fps video frame."""
    if found.size == 0:
        return 0.0
    return float(np.mean(np.abs(truth[:, None] - found[None, :]).min(axis=1) <= FRAME_S))


@pytest.mark.parametrize("bpm", [75.0, 97.0, 120.0, 140.0])
def test_beats_of_a_click_track_are_found_within_one_video_frame(bpm):
    samples, beats = click_track(bpm, 20.0, SAMPLE_RATE, seed=int(bpm))
    track = track_beats(samples, SAMPLE_RATE)
    assert within_one_frame(beats, track.times_s) >= 0.95
    assert within_one_frame(track.times_s, beats) >= 0.95, "and few beats where there is no click"
    assert track.tempo_bpm == pytest.approx(bpm, rel=0.02)
    assert track.strengths.max() == 1.0 and track.strengths.min() > 0.5, "equal clicks are equally strong"


def test_onsets_follow_irregular_hits_and_silence_has_no_beats():
    samples, _ = click_track(120.0, 10.0, SAMPLE_RATE)
    irregular = np.zeros_like(samples)
    hits = np.array([0.7, 1.1, 2.9, 3.0, 4.6, 7.3, 8.05])
    for hit in hits:
        start = int(hit * SAMPLE_RATE)
        irregular[start:start + 600] = samples[int(0.5 * SAMPLE_RATE):int(0.5 * SAMPLE_RATE) + 600]
    onsets = detect_onsets(irregular, SAMPLE_RATE)
    assert within_one_frame(hits, onsets.times_s) == 1.0 and len(onsets.times_s) == len(hits)
    assert track_beats(np.zeros(5 * SAMPLE_RATE, np.float32), SAMPLE_RATE).times_s.size == 0


def test_envelope_attacks_at_the_beat_frame_and_decays_exponentially():
    frames = np.arange(0, 2.0, FRAME_S)
    envelope = envelope_per_frame(np.array([0.51, 1.49]), np.array([1.0, 0.6]), frames, decay_s=0.2)
    beat_frames = np.flatnonzero(np.diff(envelope, prepend=0.0) > 0.0)
    assert list(beat_frames) == [int(round(0.51 / FRAME_S)), int(round(1.49 / FRAME_S))]
    first = beat_frames[0]
    assert envelope[first] == 1.0 and envelope[first + 6] == pytest.approx(np.exp(-6 * FRAME_S / 0.2))
    assert envelope[beat_frames[1]] == 0.6
    assert envelope[:first].max() == 0.0
    quiet = envelope_per_frame(np.array([0.51, 1.49]), np.array([1.0, 0.6]), frames, 0.2, threshold=0.8)
    assert np.count_nonzero(np.diff(quiet, prepend=0.0) > 0.0) == 1, "beats under the threshold are ignored"


def test_cursor_loses_no_beat_between_irregular_frames_and_envelope_rejects_bad_decay():
    cursor = BeatCursor(np.array([0.10, 0.12, 0.50]), np.array([0.3, 0.9, 0.5]))
    assert cursor.take(0.0, 0.02) == 0.0
    assert cursor.take(0.4, 0.02) == 0.9, "two beats between frames: the stronger counts"
    assert cursor.take(0.41, 0.02) == 0.0 and cursor.take(0.7, 0.02) == 0.5
    with pytest.raises(ValueError):
        BeatEnvelope(0.0)
