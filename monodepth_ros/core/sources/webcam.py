"""V4L2 webcams through OpenCV: live RGB frames stamped with their arrival time.

OpenCV rather than PyAV here: its V4L2 backend negotiates size, rate and MJPEG/YUYV formats with the device and
is already a dependency; PyAV's v4l2 input needs those set by hand and gives no better timing for a live camera.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import cv2
import numpy as np

from monodepth_ros.core.sources.video_file import VideoInfo, VideoSourceError


def webcam_device(source: str) -> int | str | None:
    """The device of a webcam source: an index ("0" -> 0) or a /dev/video* path; None for other sources."""
    text = source.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("/dev/"):
        return text
    return None


class WebcamReader:
    """A V4L2 camera; ``width``, ``height``, ``fps`` of 0 keep the device's defaults.

    ``frames()`` yields (rgb, stamp_s): uint8 (H, W, 3) RGB and seconds since the camera was opened (monotonic
    clock) when the frame was read; it raises VideoSourceError when the camera stops delivering.
    """

    live = True

    def __init__(self, device: int | str, width: int = 0, height: int = 0, fps: float = 0.0) -> None:
        self.device = device
        self._capture = cv2.VideoCapture(device, cv2.CAP_V4L2)
        if not self._capture.isOpened():
            self._capture.release()
            raise VideoSourceError(f"cannot open webcam {device}: no such device, or it is busy or not a camera")
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, width), (cv2.CAP_PROP_FRAME_HEIGHT, height),
                            (cv2.CAP_PROP_FPS, fps)):
            if value:
                self._capture.set(prop, float(value))
        self._opened_s = time.monotonic()
        first = self._read()
        self._first: np.ndarray | None = first
        self.info = VideoInfo(width=first.shape[1], height=first.shape[0],
                              fps=float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0), frame_count=0, duration_s=0.0,
                              has_audio=False, codec="v4l2")

    def _read(self) -> np.ndarray:
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            raise VideoSourceError(f"webcam {self.device} delivers no frames")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if bgr.ndim == 3 else cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)

    def frames(self) -> Iterator[tuple[np.ndarray, float]]:
        if self._first is not None:
            first, self._first = self._first, None
            yield first, time.monotonic() - self._opened_s
        while True:
            rgb = self._read()
            yield rgb, time.monotonic() - self._opened_s

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> WebcamReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
