"""Keeping a virtual object in place on video while the camera turns: the camera's rotation tracked from frame to
frame by the homography of a pure rotation.

A camera that only rotates by R maps pixels by the homography H = K R K^-1, whatever the depth. Corners tracked
with pyramidal Lucas-Kanade between consecutive frames give H by RANSAC; R = K^-1 H K, made orthonormal (nearest
rotation, by SVD), and the steps multiply up to the rotation since the first frame. The limit: without camera
poses a camera that moves (translates) is not followed; near objects then drift by their parallax.
"""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics

MAX_CORNERS = 400
MIN_TRACKED = 12
"""Fewer tracked corners than this: the step is unknown and the rotation is kept."""
RANSAC_THRESHOLD_PX = 2.0
TRACK_WIDTH_PX = 640
"""Frames wider than this are tracked at this width (the rotation does not need more)."""


def nearest_rotation(matrix: np.ndarray) -> np.ndarray:
    """float64 (3, 3): the rotation nearest to ``matrix`` (3, 3) in the Frobenius norm (scale removed)."""
    u, _, vt = np.linalg.svd(matrix)
    rotation = u @ vt
    if np.linalg.det(rotation) < 0.0:
        rotation = u @ np.diag([1.0, 1.0, -1.0]) @ vt
    return rotation


class RotationTracker:
    """The rotation R (float64 (3, 3)) taking the first frame's camera coordinates into the current frame's."""

    def __init__(self) -> None:
        self.rotation = np.eye(3)
        self._previous: np.ndarray | None = None

    def update(self, rgb: np.ndarray, intrinsics: Intrinsics) -> np.ndarray:
        """Track one more frame (uint8 (H, W, 3)); returns the rotation since the first frame."""
        scale = min(1.0, TRACK_WIDTH_PX / rgb.shape[1])
        gray = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        previous, self._previous = self._previous, gray
        if previous is None or previous.shape != gray.shape:
            return self.rotation
        corners = cv2.goodFeaturesToTrack(previous, MAX_CORNERS, 0.01, 8)
        if corners is None or len(corners) < MIN_TRACKED:
            return self.rotation
        moved, status, _ = cv2.calcOpticalFlowPyrLK(previous, gray, corners, None)
        kept = status.reshape(-1) == 1
        if kept.sum() < MIN_TRACKED:
            return self.rotation
        homography, _ = cv2.findHomography(corners[kept], moved[kept], cv2.RANSAC, RANSAC_THRESHOLD_PX)
        if homography is None:
            return self.rotation
        k = intrinsics.matrix * np.array([[scale], [scale], [1.0]])
        step = nearest_rotation(np.linalg.inv(k) @ homography @ k)
        self.rotation = step @ self.rotation
        return self.rotation


class WorldAnchor:
    """Per-stream state of the ar-insert effect: with ``anchor`` = world, the tracked camera rotation is added to
    the parameters' ``camera_rotation``."""

    def __init__(self) -> None:
        self._tracker = RotationTracker()

    def update(self, rgb: np.ndarray, intrinsics: Intrinsics, params):
        """``params`` (ArInsertParams) for this frame, uint8 (H, W, 3)."""
        if params.anchor != "world":
            return params
        given, _ = cv2.Rodrigues(np.asarray(params.camera_rotation, np.float64))
        rotation, _ = cv2.Rodrigues(self._tracker.update(rgb, intrinsics) @ given)
        return dataclasses.replace(params, camera_rotation=tuple(float(value) for value in rotation.reshape(3)))
