"""The system sound device, when there is one: stereo float frames played as they come.

Playback goes through the optional ``sounddevice`` package (PortAudio). Without it, without a PortAudio library,
or without an output device, ``open_sound_output`` says why and callers carry on without sound.
"""
from __future__ import annotations

import numpy as np


class SoundOutput:
    """An open output stream of the default device; ``play`` queues float32 (N, channels) samples."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def play(self, samples: np.ndarray) -> None:
        self._stream.write(np.ascontiguousarray(samples, np.float32))

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def open_sound_output(sample_rate_hz: int, channels: int = 2) -> tuple[SoundOutput | None, str]:
    """(the default output device as a started SoundOutput, "") or (None, why there is none)."""
    try:
        import sounddevice
    except (ImportError, OSError) as error:
        return None, f"no sound playback ({type(error).__name__}: {error}; pip install sounddevice)"
    try:
        sounddevice.query_devices(kind="output")
        stream = sounddevice.OutputStream(samplerate=sample_rate_hz, channels=channels, dtype="float32")
        stream.start()
    except Exception as error:  # PortAudio reports a missing or busy device with its own error types
        return None, f"no sound output device ({error})"
    return SoundOutput(stream), ""
