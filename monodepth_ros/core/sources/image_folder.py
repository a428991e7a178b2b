"""A folder of images as a video: files in name order, stamps index / fps."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.sources.video_file import VideoInfo, VideoSourceError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def image_files(folder: Path) -> list[Path]:
    """The image files of ``folder`` (by suffix, case-insensitive), sorted by name."""
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)


def read_rgb(path: Path) -> np.ndarray:
    """uint8 (H, W, 3) RGB of an image file (grey and alpha images converted); VideoSourceError when unreadable."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise VideoSourceError(f"cannot read image {path.name}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class ImageFolderReader:
    """The images of a folder, in name order, all of one size.

    ``frames()`` yields (rgb, stamp_s): uint8 (H, W, 3) RGB and index / ``fps`` seconds.
    """

    live = False

    def __init__(self, folder: str | Path, fps: float = 10.0) -> None:
        self.path = Path(folder)
        if not self.path.is_dir():
            raise VideoSourceError(f"folder not found: {self.path}")
        if not fps > 0.0:
            raise VideoSourceError(f"frame rate of an image folder must be positive, got {fps}")
        self.files = image_files(self.path)
        if not self.files:
            raise VideoSourceError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {self.path}")
        height, width = read_rgb(self.files[0]).shape[:2]
        self.info = VideoInfo(width=width, height=height, fps=float(fps), frame_count=len(self.files),
                              duration_s=len(self.files) / fps, has_audio=False, codec="images")

    def frames(self) -> Iterator[tuple[np.ndarray, float]]:
        size = (self.info.height, self.info.width)
        for index, path in enumerate(self.files):
            rgb = read_rgb(path)
            if rgb.shape[:2] != size:
                raise VideoSourceError(f"{path.name} is {rgb.shape[1]}x{rgb.shape[0]}, the folder's first image "
                                       f"{size[1]}x{size[0]}: all images must have one size")
            yield rgb, index / self.info.fps

    def close(self) -> None:
        """Nothing is held open between frames."""

    def __enter__(self) -> ImageFolderReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
