"""Beat and onset tracking in numpy: spectral-flux onsets and Ellis' dynamic-programming beat tracker.

No model and no download: the method is the one librosa's beat tracker implements (D. P. W. Ellis, "Beat
Tracking by Dynamic Programming", J. New Music Research 36(1), 2007), written here in numpy so that the package
does not depend on librosa and through it on numba and llvmlite (about 180 MB, a JIT compile on first use, and
releases that trail numpy's).

1. Onset strength: the magnitude spectrum (Hann window of FFT_SIZE samples, every HOP samples) is pooled into
   BANDS log-spaced bands and log-compressed; the spectral flux, the sum over bands of the rises from the previous
   frame, peaks where notes and drums start. A moving mean is subtracted, negative values are clipped, and the
   envelope is shifted by the window's lead so a frame's time is the onset's time.
2. Tempo: the autocorrelation of the envelope, weighted by a log-normal prior around PRIOR_BPM (one octave wide),
   peaks at the beat period (periods up to half the audio's length: a clip of 2 s allows 60 BPM and faster).
3. Beats: the sequence of onset frames that maximises the summed onset strength minus TIGHTNESS *
   log(interval / period)^2 per interval, by dynamic programming, traced back from the best last beat; weak beats
   at the start and end (silence) are dropped.
4. Onsets (for music without a steady beat): local maxima of the envelope above its mean by ONSET_DELTA standard
   deviations, at least MIN_ONSET_GAP_S apart.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050
FFT_SIZE = 1024
HOP = 256
"""11.6 ms per envelope frame at SAMPLE_RATE."""
BANDS = 48
MIN_FREQUENCY_HZ = 30.0
PRIOR_BPM = 120.0
TEMPO_RANGE_BPM = (40.0, 240.0)
TIGHTNESS = 100.0
ONSET_DELTA = 1.0
MIN_ONSET_GAP_S = 0.08
DETREND_S = 0.5


@dataclass(frozen=True)
class BeatTrack:
    """Beats (or onsets) of a piece of audio."""

    times_s: np.ndarray
    """float64 (B,) event times in seconds from the first sample."""
    strengths: np.ndarray
    """float64 (B,) onset strength at each event, 1 = a strong one (the 90th percentile of the events), clipped
    to [0, 1]."""
    tempo_bpm: float
    """Estimated tempo in beats per minute (0 when there is too little audio)."""


def _band_matrix(sample_rate: int) -> np.ndarray:
    """(BANDS, FFT_SIZE // 2 + 1) 0/1 matrix pooling FFT bins into log-spaced bands."""
    frequencies = np.fft.rfftfreq(FFT_SIZE, 1.0 / sample_rate)
    edges = np.geomspace(MIN_FREQUENCY_HZ, sample_rate / 2.0, BANDS + 1)
    band = np.clip(np.searchsorted(edges, frequencies, side="right") - 1, 0, BANDS - 1)
    matrix = np.zeros((BANDS, frequencies.size), np.float32)
    matrix[band, np.arange(frequencies.size)] = 1.0
    matrix[:, frequencies < MIN_FREQUENCY_HZ] = 0.0
    return matrix


def onset_strength(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, float]:
    """Onset strength envelope float64 (T,) of mono ``samples`` and its frame rate (frames per second); frame t is
    at t * HOP / sample_rate seconds."""
    samples = np.asarray(samples, np.float32).reshape(-1)
    if samples.size < FFT_SIZE:
        return np.zeros(max(samples.size // HOP, 1)), sample_rate / HOP
    padded = np.pad(samples, (FFT_SIZE // 2, FFT_SIZE // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, FFT_SIZE)[::HOP]
    window = np.hanning(FFT_SIZE).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(frames * window, axis=1)).astype(np.float32)
    bands = np.log1p(1000.0 * (spectrum @ _band_matrix(sample_rate).T))
    flux = np.zeros(len(bands))
    flux[1:] = np.maximum(np.diff(bands, axis=0), 0.0).sum(axis=1)
    # The flux rises as the onset enters the window, a quarter window before the window's centre reaches it.
    lead = int(round(FFT_SIZE / 4 / HOP))
    flux = np.concatenate([np.zeros(lead), flux[:len(flux) - lead]])
    frame_rate = sample_rate / HOP
    width = max(int(DETREND_S * frame_rate) | 1, 3)
    mean = np.convolve(flux, np.ones(width) / width, mode="same")
    return np.maximum(flux - mean, 0.0), frame_rate


def estimate_period(envelope: np.ndarray, frame_rate: float) -> float:
    """Beat period in envelope frames (fractional), from the prior-weighted autocorrelation; 0 if it cannot."""
    envelope = envelope - envelope.mean()
    size = len(envelope)
    shortest = int(np.floor(60.0 / TEMPO_RANGE_BPM[1] * frame_rate))
    longest = min(int(np.ceil(60.0 / TEMPO_RANGE_BPM[0] * frame_rate)), size // 2)
    if longest <= shortest + 2 or not envelope.any():
        return 0.0
    spectrum = np.fft.rfft(envelope, 2 * size)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum))[:longest + 2]
    lags = np.arange(shortest, longest + 1)
    bpm = 60.0 * frame_rate / lags
    weighted = correlation[lags] * np.exp(-0.5 * np.log2(bpm / PRIOR_BPM) ** 2)
    best = int(np.argmax(weighted))
    lag = float(lags[best])
    if 0 < best < len(lags) - 1:
        left, centre, right = correlation[lags[best] - 1:lags[best] + 2]
        curvature = left - 2.0 * centre + right
        if curvature < 0.0:
            lag += 0.5 * (left - right) / curvature
    return lag


def _beat_frames(envelope: np.ndarray, period: float) -> np.ndarray:
    """Frames of the beats (int, increasing) by Ellis' dynamic programming."""
    spread = period / 32.0
    kernel_half = int(np.ceil(4 * spread))
    kernel = np.exp(-0.5 * (np.arange(-kernel_half, kernel_half + 1) / max(spread, 1e-3)) ** 2)
    local = np.convolve(envelope / (envelope.std() + 1e-12), kernel, mode="same")
    lags = np.arange(int(round(period / 2.0)), int(round(2.0 * period)) + 1)
    penalty = -TIGHTNESS * np.log(lags / period) ** 2
    size = len(local)
    score = local.copy()
    backlink = np.full(size, -1)
    for frame in range(lags[0], size):
        previous = frame - lags
        usable = previous >= 0
        candidates = score[previous[usable]] + penalty[usable]
        best = int(np.argmax(candidates))
        if candidates[best] > 0.0:
            score[frame] = local[frame] + candidates[best]
            backlink[frame] = previous[usable][best]
    # The last beat: the last local maximum of the score above half the median of the local maxima.
    peaks = np.flatnonzero((score[1:-1] > score[:-2]) & (score[1:-1] >= score[2:])) + 1
    if peaks.size == 0:
        return np.zeros(0, np.int64)
    threshold = 0.5 * np.median(score[peaks])
    frame = int(peaks[score[peaks] >= threshold][-1])
    beats = []
    while frame >= 0:
        beats.append(frame)
        frame = int(backlink[frame])
    beats = np.asarray(beats[::-1], np.int64)
    # Drop weak beats at both ends (silence before and after the music).
    strong = local[beats] >= 0.5 * np.sqrt(np.mean(local[beats] ** 2))
    if not strong.any():
        return beats[:0]
    first, last = np.flatnonzero(strong)[[0, -1]]
    return beats[first:last + 1]


def _normalised(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    reference = np.percentile(values, 90.0)
    return np.clip(values / reference, 0.0, 1.0) if reference > 0.0 else np.ones_like(values)


def _event_strengths(envelope: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """The envelope's largest value within one frame of each event frame, normalised."""
    padded = np.pad(envelope, 1)
    return _normalised(np.maximum.reduce([padded[frames], padded[frames + 1], padded[frames + 2]]))


def track_beats(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> BeatTrack:
    """Beats of mono ``samples`` (float, any rate; resampling to SAMPLE_RATE is the caller's choice)."""
    envelope, frame_rate = onset_strength(samples, sample_rate)
    period = estimate_period(envelope, frame_rate)
    if period <= 0.0:
        return BeatTrack(np.zeros(0), np.zeros(0), 0.0)
    frames = _beat_frames(envelope, period)
    return BeatTrack(frames / frame_rate, _event_strengths(envelope, frames), 60.0 * frame_rate / period)


def detect_onsets(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> BeatTrack:
    """Onsets of mono ``samples``: peaks of the onset strength envelope (see the module docstring)."""
    envelope, frame_rate = onset_strength(samples, sample_rate)
    gap = max(int(round(MIN_ONSET_GAP_S * frame_rate)), 1)
    threshold = envelope.mean() + ONSET_DELTA * envelope.std()
    padded = np.pad(envelope, gap, constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * gap + 1)
    peaks = np.flatnonzero((envelope >= windows.max(axis=1)) & (envelope > threshold) & (envelope > 0.0))
    if peaks.size:
        keep = np.concatenate([[True], np.diff(peaks) > gap])
        peaks = peaks[keep]
    period = estimate_period(envelope, frame_rate)
    return BeatTrack(peaks / frame_rate, _event_strengths(envelope, peaks),
                     60.0 * frame_rate / period if period > 0 else 0.0)
