"""Video files: frames and container timestamps read back as written, audio muxed in sync, clear errors."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.sources.video_file import (
    VideoFileReader,
    VideoFileWriter,
    VideoSourceError,
    audio_stream_count,
    write_wav,
)

FPS = 10.0
WIDTH, HEIGHT = 64, 48


def moving_bar(index: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """uint8 (H, W, 3): grey background with a white bar that moves 4 px per frame."""
    rgb = np.full((height, width, 3), 60, np.uint8)
    rgb[:, (4 * index) % width:(4 * index) % width + 6] = 240
    return rgb


def test_frames_and_stamps_read_back_as_written(tmp_path):
    path = tmp_path / "bar.mp4"
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT) as writer:
        for index in range(12):
            writer.write(moving_bar(index))
    with VideoFileReader(path) as reader:
        assert (reader.info.width, reader.info.height) == (WIDTH, HEIGHT)
        assert reader.info.fps == pytest.approx(FPS)
        assert not reader.info.has_audio
        frames = list(reader.frames())
    assert len(frames) == 12
    np.testing.assert_allclose([stamp for _, stamp in frames], np.arange(12) / FPS, atol=1e-3)
    for index, (rgb, _) in enumerate(frames):
        assert rgb.shape == (HEIGHT, WIDTH, 3) and rgb.dtype == np.uint8
        assert np.abs(rgb.astype(int) - moving_bar(index)).mean() < 4.0


def test_variable_frame_times_are_kept(tmp_path):
    path = tmp_path / "vfr.mp4"
    stamps = [0.0, 0.1, 0.35, 0.4, 1.0]
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT) as writer:
        for index, stamp in enumerate(stamps):
            writer.write(moving_bar(index), stamp)
    with VideoFileReader(path) as reader:
        np.testing.assert_allclose([stamp for _, stamp in reader.frames()], stamps, atol=1e-3)


def test_odd_sizes_are_padded_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with VideoFileWriter(path, FPS, 63, 47) as writer:
        writer.write(moving_bar(0, 63, 47))
    with VideoFileReader(path) as reader:
        assert (reader.info.width, reader.info.height) == (64, 48)


def test_audio_is_muxed_from_the_given_offset_and_cut_at_the_end_of_the_video(tmp_path):
    sample_rate = 16000
    seconds = np.arange(3 * sample_rate) / sample_rate
    wav = tmp_path / "tone.wav"
    write_wav(wav, 0.5 * np.sin(2 * np.pi * 440.0 * seconds), sample_rate)
    path = tmp_path / "with_audio.mp4"
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT, audio_from=wav, audio_offset_s=0.5) as writer:
        for index in range(10):
            writer.write(moving_bar(index))
    assert audio_stream_count(path) == 1
    import av

    with av.open(str(path)) as container:
        audio = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(audio))
    assert samples == pytest.approx(1.0 * sample_rate, rel=0.1)


def test_bad_inputs_raise_one_line_errors(tmp_path):
    with pytest.raises(VideoSourceError, match="file not found"):
        VideoFileReader(tmp_path / "missing.mp4")
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"not a video at all" * 100)
    with pytest.raises(VideoSourceError, match="cannot read garbage.mp4"):
        VideoFileReader(garbage)
    wav = tmp_path / "tone.wav"
    write_wav(wav, np.zeros(1600), 16000)
    with pytest.raises(VideoSourceError, match="no video stream"):
        VideoFileReader(wav)
    with pytest.raises(VideoSourceError, match="frames must be uint8"):
        with VideoFileWriter(tmp_path / "x.mp4", FPS, WIDTH, HEIGHT) as writer:
            writer.write(np.zeros((10, 10, 3), np.uint8))
