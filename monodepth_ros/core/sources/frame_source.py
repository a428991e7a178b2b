"""One way to open any image source: a video file, an image folder or a webcam."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from monodepth_ros.core.sources.image_folder import ImageFolderReader
from monodepth_ros.core.sources.video_file import VideoFileReader, VideoInfo, VideoSourceError
from monodepth_ros.core.sources.webcam import WebcamReader, webcam_device


class FrameSource(Protocol):
    """Frames with stamps: ``frames()`` yields (uint8 (H, W, 3) RGB, stamp_s); ``live`` sources (webcams) stamp
    frames as they arrive, the others with their recorded time from the start (seconds)."""

    info: VideoInfo
    live: bool

    def frames(self) -> Iterator[tuple[np.ndarray, float]]: ...

    def close(self) -> None: ...


def open_frame_source(source: str, folder_fps: float = 10.0, webcam_size: tuple[int, int] = (0, 0),
                      webcam_fps: float = 0.0) -> FrameSource:
    """Open ``source``: a webcam index ("0") or device path ("/dev/video0"), an image folder (stamps index /
    ``folder_fps``) or a video file (container timestamps); raises VideoSourceError with a one-line reason."""
    device = webcam_device(source)
    if device is not None:
        return WebcamReader(device, webcam_size[0], webcam_size[1], webcam_fps)
    if not source.strip():
        raise VideoSourceError("no source given: a video file, an image folder, or a webcam index or /dev/video path")
    path = Path(source).expanduser()
    if path.is_dir():
        return ImageFolderReader(path, folder_fps)
    return VideoFileReader(path)
