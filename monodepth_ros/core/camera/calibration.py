"""Camera calibration files in the ROS camera_info_manager YAML format, and an approximate pinhole calibration
from a horizontal field of view."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics


@dataclass(frozen=True)
class CameraCalibration:
    """What a sensor_msgs/CameraInfo carries besides its header (pixels of a ``width`` x ``height`` image)."""

    width: int
    height: int
    k: np.ndarray
    """(3, 3) camera matrix."""
    d: tuple[float, ...] = ()
    distortion_model: str = "plumb_bob"
    r: np.ndarray | None = None
    """(3, 3) rectification rotation; None = identity."""
    p: np.ndarray | None = None
    """(3, 4) projection matrix; None = [K | 0]."""
    camera_name: str = ""

    def intrinsics_for(self, width: int, height: int) -> Intrinsics:
        """Pinhole intrinsics of K for an image of ``width`` x ``height`` showing the calibrated frame resized
        (pixel centres aligned as in cv2.resize: u' = (u + 0.5) * width / calibrated width - 0.5)."""
        scale_x, scale_y = width / self.width, height / self.height
        k = np.diag([scale_x, scale_y, 1.0]) @ self.k
        k[0, 2] = (self.k[0, 2] + 0.5) * scale_x - 0.5
        k[1, 2] = (self.k[1, 2] + 0.5) * scale_y - 0.5
        return Intrinsics.from_matrix(k, width, height)

    @property
    def rectification(self) -> np.ndarray:
        return np.eye(3) if self.r is None else self.r

    @property
    def projection(self) -> np.ndarray:
        return np.hstack([self.k, np.zeros((3, 1))]) if self.p is None else self.p


def _matrix(document: dict, key: str, shape: tuple[int, int], path: Path, required: bool = True) -> np.ndarray | None:
    entry = document.get(key)
    if entry is None:
        if required:
            raise ValueError(f"{path.name}: '{key}' is missing")
        return None
    try:
        rows, cols = int(entry["rows"]), int(entry["cols"])
        data = np.asarray(entry["data"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{path.name}: '{key}' needs rows, cols and data (numbers)") from None
    if (rows, cols) != shape or data.size != rows * cols:
        raise ValueError(f"{path.name}: '{key}' must be {shape[0]}x{shape[1]} with {shape[0] * shape[1]} values, "
                         f"got {rows}x{cols} with {data.size}")
    return data.reshape(shape)


def load_camera_calibration(path: str | Path) -> CameraCalibration:
    """Read a camera_info_manager YAML file (image_width, image_height, camera_name, camera_matrix,
    distortion_model, distortion_coefficients, rectification_matrix, projection_matrix; a ``file://`` prefix is
    accepted). Raises ValueError with a one-line reason for a missing or malformed file."""
    import yaml

    path = Path(str(path).removeprefix("file://")).expanduser()
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ValueError(f"cannot read camera calibration {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ValueError(f"{path.name} is not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path.name} is not a camera calibration (expected a YAML mapping)")
    try:
        width, height = int(document["image_width"]), int(document["image_height"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{path.name}: image_width and image_height (integers) are required") from None
    if width < 1 or height < 1:
        raise ValueError(f"{path.name}: image size must be positive, got {width}x{height}")
    k = _matrix(document, "camera_matrix", (3, 3), path)
    if not (k[0, 0] > 0.0 and k[1, 1] > 0.0):
        raise ValueError(f"{path.name}: camera_matrix focal lengths must be positive (is the camera calibrated?)")
    distortion = document.get("distortion_coefficients")
    d = tuple(float(value) for value in distortion["data"]) if isinstance(distortion, dict) else ()
    return CameraCalibration(width=width, height=height, k=k, d=d,
                             distortion_model=str(document.get("distortion_model", "plumb_bob")),
                             r=_matrix(document, "rectification_matrix", (3, 3), path, required=False),
                             p=_matrix(document, "projection_matrix", (3, 4), path, required=False),
                             camera_name=str(document.get("camera_name", "")))


def calibration_from_fov(width: int, height: int, horizontal_fov_deg: float) -> CameraCalibration:
    """Distortion-free pinhole calibration of square pixels with the principal point at the image centre and
    fx = fy = (width / 2) / tan(fov / 2): an approximation for cameras without a calibration."""
    if not 0.0 < horizontal_fov_deg < 180.0:
        raise ValueError(f"horizontal field of view must lie in (0, 180) degrees, got {horizontal_fov_deg}")
    focal = 0.5 * width / math.tan(math.radians(horizontal_fov_deg) / 2.0)
    k = np.array([[focal, 0.0, (width - 1) / 2.0], [0.0, focal, (height - 1) / 2.0], [0.0, 0.0, 1.0]])
    return CameraCalibration(width=int(width), height=int(height), k=k, d=(0.0,) * 5)
