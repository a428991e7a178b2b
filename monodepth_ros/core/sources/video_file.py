"""Video files through PyAV (FFmpeg, bundled in the wheel): decoded RGB frames with their container timestamps,
and H.264 mp4 writing with an audio track muxed in sync.

PyAV rather than OpenCV: it gives each frame's presentation time (variable frame rate files included), reads and
writes audio, and needs no system FFmpeg.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v")
TIME_BASE = Fraction(1, 90_000)
"""Time base of written video frames: the MPEG 90 kHz clock."""


class VideoSourceError(ValueError):
    """A video or audio file cannot be opened, decoded or written; the message is one line for the user."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds."""

    width: int
    height: int
    fps: float
    """Average frame rate (frames per second) from the container; 0 when unknown."""
    frame_count: int
    """Frames as the container states them; 0 when unknown (the decoded count may differ slightly)."""
    duration_s: float
    has_audio: bool
    codec: str
    start_s: float = 0.0
    """Start of the video stream on the file's clock (seconds); frame stamps count from it."""


def _open(path: Path):
    import av

    if not path.is_file():
        raise VideoSourceError(f"file not found: {path}")
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as error:
        raise VideoSourceError(f"cannot read {path.name}: {error}") from None


class VideoFileReader:
    """Decodes the first video stream of a file, frame by frame.

    ``frames()`` yields (rgb, stamp_s): uint8 (H, W, 3) RGB and the presentation time in seconds from the
    container's start (frames without a timestamp get the previous one plus one frame period).
    """

    live = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._container = _open(self.path)
        if not self._container.streams.video:
            self._container.close()
            raise VideoSourceError(f"{self.path.name} has no video stream")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._stream = stream
        rate = stream.average_rate or stream.guessed_rate
        duration = (float(stream.duration * stream.time_base) if stream.duration is not None
                    else (self._container.duration or 0) / 1e6)
        self.info = VideoInfo(width=stream.codec_context.width, height=stream.codec_context.height,
                              fps=float(rate) if rate else 0.0, frame_count=int(stream.frames or 0),
                              duration_s=duration, has_audio=bool(self._container.streams.audio),
                              codec=stream.codec_context.name,
                              start_s=float(stream.start_time * stream.time_base) if stream.start_time else 0.0)

    def frames(self) -> Iterator[tuple[np.ndarray, float]]:
        import av

        period = 1.0 / self.info.fps if self.info.fps > 0 else 0.0
        start = self.info.start_s
        previous = None
        try:
            for frame in self._container.decode(self._stream):
                stamp = frame.time - start if frame.time is not None else (
                    0.0 if previous is None else previous + period)
                previous = stamp
                yield frame.to_ndarray(format="rgb24"), stamp
        except av.error.FFmpegError as error:
            raise VideoSourceError(f"cannot decode {self.path.name}: {error}") from None

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> VideoFileReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class VideoFileWriter:
    """Encodes RGB frames as H.264 (yuv420p) into an mp4, optionally with the audio of another file.

    Audio is mono when the source is, else stereo (more channels are downmixed).
    ``write(rgb, stamp_s)`` takes uint8 (H, W, 3); frames keep their stamps (seconds from the start; the frame
    index / fps when None). Odd widths or heights are padded by one edge-replicated pixel (4:2:0 needs even
    sizes). ``audio_from``: a file whose first audio stream is re-encoded as AAC from ``audio_offset_s`` onwards,
    starting with the first frame and cut at the end of the video, so picture and sound stay in sync.
    """

    def __init__(self, path: str | Path, fps: float, width: int, height: int, crf: int = 18,
                 audio_from: str | Path | None = None, audio_offset_s: float = 0.0) -> None:
        import av

        if not fps > 0.0:
            raise VideoSourceError(f"frame rate must be positive, got {fps}")
        if width < 1 or height < 1:
            raise VideoSourceError(f"frame size must be positive, got {width}x{height}")
        self.path = Path(path)
        self._fps = float(fps)
        self._size = (int(width), int(height))
        self._audio_from = Path(audio_from) if audio_from is not None else None
        self._audio_offset_s = float(audio_offset_s)
        self._frames = 0
        self._last_stamp_s = 0.0
        audio_input = _open(self._audio_from) if self._audio_from is not None else None
        if audio_input is not None and not audio_input.streams.audio:
            audio_input.close()
            raise VideoSourceError(f"{self._audio_from.name} has no audio stream")
        try:
            self._container = av.open(str(self.path), mode="w")
        except (av.error.FFmpegError, OSError) as error:
            raise VideoSourceError(f"cannot write {self.path}: {error}") from None
        stream = self._container.add_stream("libx264", rate=Fraction(self._fps).limit_denominator(100_000))
        stream.width, stream.height = (value + value % 2 for value in self._size)
        stream.pix_fmt = "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.options = {"crf": str(int(crf)), "preset": "veryfast"}
        self._video = stream
        self._audio_input = audio_input
        self._audio = None
        if audio_input is not None:
            source = audio_input.streams.audio[0]
            layout = "mono" if source.codec_context.channels == 1 else "stereo"
            self._audio = self._container.add_stream("aac", rate=source.codec_context.sample_rate, layout=layout)

    @property
    def frames_written(self) -> int:
        return self._frames

    def write(self, rgb: np.ndarray, stamp_s: float | None = None) -> None:
        import av

        rgb = np.asarray(rgb)
        if rgb.dtype != np.uint8 or rgb.shape != (self._size[1], self._size[0], 3):
            raise VideoSourceError(f"frames must be uint8 ({self._size[1]}, {self._size[0]}, 3), "
                                   f"got {rgb.dtype} {rgb.shape}")
        padded = np.pad(rgb, ((0, rgb.shape[0] % 2), (0, rgb.shape[1] % 2), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(padded), format="rgb24")
        stamp = self._frames / self._fps if stamp_s is None else float(stamp_s)
        if self._frames and stamp <= self._last_stamp_s:
            stamp = self._last_stamp_s + 1.0 / self._fps
        frame.pts = int(round(stamp / TIME_BASE))
        frame.time_base = TIME_BASE
        self._last_stamp_s = stamp
        self._container.mux(self._video.encode(frame))
        self._frames += 1

    def close(self) -> None:
        """Flush the encoder, mux the audio (cut to the video's length) and close the file."""
        self._container.mux(self._video.encode(None))
        if self._audio is not None:
            self._mux_audio(self._last_stamp_s + 1.0 / self._fps)
        self._container.close()

    def _mux_audio(self, video_duration_s: float) -> None:
        import av

        source = self._audio_input.streams.audio[0]
        resampler = av.AudioResampler(format=self._audio.codec_context.format.name,
                                      layout=self._audio.layout.name, rate=self._audio.rate)
        sample_rate = self._audio.rate
        first = int(round(self._audio_offset_s * sample_rate))
        last = first + int(round(video_duration_s * sample_rate))
        position = None
        for decoded in self._audio_input.decode(source):
            for frame in resampler.resample(decoded):
                start = position if decoded.time is None else int(round(decoded.time * sample_rate))
                position = start + frame.samples
                keep_from, keep_to = max(first - start, 0), min(last - start, frame.samples)
                if keep_to <= keep_from:
                    continue
                samples = frame.to_ndarray()[..., keep_from:keep_to]
                kept = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format=frame.format.name,
                                                  layout=frame.layout.name)
                kept.sample_rate = sample_rate
                kept.pts = start + keep_from - first
                kept.time_base = Fraction(1, sample_rate)
                self._container.mux(self._audio.encode(kept))
            if position is not None and position >= last:
                break
        self._container.mux(self._audio.encode(None))
        self._audio_input.close()

    def __enter__(self) -> VideoFileWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write float samples in [-1, 1], (N,) mono or (N, C), as 16-bit PCM WAV."""
    import av

    samples = np.asarray(samples, dtype=np.float32)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16).reshape(1, -1)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("pcm_s16le", rate=int(sample_rate))
        stream.layout = "mono" if channels == 1 else "stereo"
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout=stream.layout.name)
        frame.sample_rate = int(sample_rate)
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def audio_stream_count(path: str | Path) -> int:
    """Number of audio streams in a media file."""
    with _open(Path(path)) as container:
        return len(container.streams.audio)


def read_audio(path: str | Path, sample_rate: int = 22050, start_s: float = 0.0) -> np.ndarray:
    """float32 (N,) mono samples of the first audio stream of a media file, resampled to ``sample_rate``, sample 0
    at ``start_s`` seconds on the file's clock (zeros where the audio begins later)."""
    import av

    path = Path(path)
    with _open(path) as container:
        if not container.streams.audio:
            raise VideoSourceError(f"{path.name} has no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=int(sample_rate))
        chunks, first_time = [], None
        try:
            for frame in container.decode(stream):
                if first_time is None and frame.time is not None:
                    first_time = float(frame.time)
                chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
        except av.error.FFmpegError as error:
            raise VideoSourceError(f"cannot decode the audio of {path.name}: {error}") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    offset = int(round(((first_time or 0.0) - start_s) * sample_rate))
    if offset > 0:
        return np.concatenate([np.zeros(offset, np.float32), samples])
    return samples[-offset:]
