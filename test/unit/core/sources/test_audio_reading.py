"""Audio read back as mono samples at a chosen rate, aligned to a position on the file's clock."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter, VideoSourceError, read_audio
from monodepth_ros.core.sources.video_file import write_wav


def test_audio_is_resampled_to_mono_and_starts_at_the_given_time(tmp_path):
    rate = 16000
    seconds = np.arange(2 * rate) / rate
    stereo = np.stack([0.5 * np.sin(2 * np.pi * 220 * seconds), np.zeros_like(seconds)], axis=1)
    stereo[int(0.5 * rate), 0] = 0.99  # a click at 0.5 s in the left channel
    path = tmp_path / "tone.wav"
    write_wav(path, stereo, rate)
    samples = read_audio(path, 22050)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert len(samples) == pytest.approx(2 * 22050, abs=64)
    late = read_audio(path, 22050, start_s=0.25)
    assert len(samples) - len(late) == pytest.approx(0.25 * 22050, abs=2)
    early = read_audio(path, 22050, start_s=-0.1)
    assert np.all(early[:2000] == 0.0) and len(early) - len(samples) == pytest.approx(0.1 * 22050, abs=2)
    with pytest.raises(VideoSourceError, match="no audio stream"):
        video = tmp_path / "silent.mp4"
        with VideoFileWriter(video, 10.0, 32, 32) as writer:
            writer.write(np.zeros((32, 32, 3), np.uint8))
        read_audio(video)
    with VideoFileReader(video) as reader:
        assert reader.info.start_s == pytest.approx(0.0, abs=0.05)
