"""Inputs of monodepth-effects: depth files, camera intrinsics, images."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.camera.calibration import calibration_from_fov, load_camera_calibration
from monodepth_ros.core.camera.intrinsics import Intrinsics

DEFAULT_HFOV_DEG = 60.0
"""Horizontal field of view assumed without calibration: between a webcam's (about 55-70) and a phone's main
camera (about 65-75)."""


class InputError(ValueError):
    """An input cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class DepthFile:
    """Depth from a file: float32 (N, H, W) metres (NaN = none), and the frames' stamps (seconds) if it has them."""

    depth: np.ndarray
    stamps_s: np.ndarray | None
    name: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return int(self.depth.shape[2]), int(self.depth.shape[1])

    def check_size(self, width: int, height: int) -> None:
        if self.size != (width, height):
            raise InputError(f"depth in {self.name} is {self.size[0]}x{self.size[1]} but the input is "
                             f"{width}x{height}; give depth of the input's size")

    def for_frame(self, index: int, stamp_s: float, frame_period_s: float) -> np.ndarray:
        """Depth for frame ``index`` at ``stamp_s``: by stamp (within half a frame) when the file has stamps, else
        by index; a single depth map serves every frame."""
        if len(self.depth) == 1:
            return self.depth[0]
        if self.stamps_s is not None:
            nearest = int(np.argmin(np.abs(self.stamps_s - stamp_s)))
            if abs(self.stamps_s[nearest] - stamp_s) <= 0.5 * frame_period_s + 1e-6:
                return self.depth[nearest]
            raise InputError(f"{self.name} has no depth for the frame at {stamp_s:.3f} s")
        if index >= len(self.depth):
            raise InputError(f"{self.name} has {len(self.depth)} depth frames; the video has more")
        return self.depth[index]


def load_depth(path: str | Path) -> DepthFile:
    """Depth from .npy ((H, W) or (N, H, W) metres), .npz (array ``depth``, or its only array, in metres; optional
    ``stamps`` in seconds, as monodepth-video writes) or a 16-bit PNG in millimetres (0 = none)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"depth file not found: {path}")
    suffix = path.suffix.lower()
    stamps = None
    try:
        if suffix == ".npy":
            depth = np.load(path, allow_pickle=False)
        elif suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.keys())
                key = "depth" if "depth" in names else (names[0] if len(names) == 1 else None)
                if key is None:
                    raise InputError(f"{path.name} has no array named depth (it has {', '.join(names)})")
                depth = archive[key]
                stamps = np.asarray(archive["stamps"], np.float64).reshape(-1) if "stamps" in names else None
        elif suffix == ".png":
            image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            if image is None:
                raise InputError(f"cannot read depth image {path.name}")
            if image.dtype != np.uint16 or image.ndim != 2:
                raise InputError(f"{path.name} is not a 16-bit single-channel PNG (depth in millimetres)")
            depth = np.where(image > 0, image.astype(np.float32) / 1000.0, np.nan)
        else:
            raise InputError(f"unknown depth file type {suffix!r}; use .npy, .npz or a 16-bit .png")
    except (OSError, ValueError) as error:
        if isinstance(error, InputError):
            raise
        raise InputError(f"cannot read depth file {path.name}: {error}") from None
    depth = np.asarray(depth)
    if depth.ndim == 2:
        depth = depth[None]
    if depth.ndim != 3 or not np.issubdtype(depth.dtype, np.floating):
        raise InputError(f"{path.name} must hold float depth (H, W) or (N, H, W) in metres, got {depth.dtype} "
                         f"{depth.shape}")
    if stamps is not None and len(stamps) != len(depth):
        raise InputError(f"{path.name} has {len(depth)} depth frames but {len(stamps)} stamps")
    depth = depth.astype(np.float32, copy=False)
    return DepthFile(np.where(np.isfinite(depth) & (depth > 0.0), depth, np.nan).astype(np.float32), stamps,
                     path.name)


def intrinsics_from_fov(width: int, height: int, hfov_deg: float) -> Intrinsics:
    """Square pixels, centred principal point, focal length from the horizontal field of view."""
    if not 1.0 <= hfov_deg <= 179.0:
        raise InputError(f"--hfov-deg must lie in [1, 179], got {hfov_deg}")
    return calibration_from_fov(width, height, hfov_deg).intrinsics_for(width, height)


def intrinsics_from_camera_info_yaml(path: str | Path, width: int, height: int) -> Intrinsics:
    """K from a ROS camera_info / camera_calibration YAML (core.camera.calibration), scaled to an image of
    ``width`` x ``height``."""
    try:
        return load_camera_calibration(path).intrinsics_for(width, height)
    except ValueError as error:
        raise InputError(str(error)) from None


def read_image(path: str | Path) -> np.ndarray:
    """uint8 (H, W, 3) RGB of an image file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"cannot read image {path.name}")
    return np.ascontiguousarray(image[:, :, ::-1])


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Write uint8 RGB (H, W, 3) or RGBA (H, W, 4)."""
    order = [2, 1, 0, 3][:image.shape[2]]
    if not cv2.imwrite(str(path), np.ascontiguousarray(image[:, :, order])):
        raise InputError(f"cannot write {path}")
