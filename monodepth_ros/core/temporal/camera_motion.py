"""The camera's motion between consecutive frames from the tracked pixels and the tracked depth (PnP).

Static points back-projected from the tracked depth at their pixel in the previous frame, seen again at the
pixel the optical flow tracks them to, give the rigid motion by PnP with RANSAC (OpenCV SQPnP), which leaves
moving objects and mistracked pixels out. The translation comes out in the units of the tracked depth, so it is
consistent with the depth it carries into the new frame, whatever the model's scale.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

TARGET_POINTS = 1000
"""About this many pixels on a regular grid are candidate correspondences."""
MIN_POINTS = 12
"""Fewest usable correspondences (and RANSAC inliers) that make a motion."""
RANSAC_ITERATIONS = 40
REPROJECTION_ERROR_PX = 2.0
"""RANSAC inlier threshold in pixels of the input image."""


class CameraMotionEstimator:
    """Rigid motion new_from_previous of one camera, for images of one size and a fixed K."""

    def __init__(self, width: int, height: int) -> None:
        step = max(4, int(math.sqrt(width * height / TARGET_POINTS)))
        rows, columns = np.mgrid[step // 2:height:step, step // 2:width:step]
        self._rows, self._columns = rows.ravel(), columns.ravel()
        self._image_points = np.stack([self._columns, self._rows], axis=1).astype(np.float64)

    def estimate(self, tracked_depth: np.ndarray, source_map: np.ndarray, usable: np.ndarray,
                 camera_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(R 3x3, t 3) with X_new = R X_previous + t, or None without enough consistent correspondences.

        ``tracked_depth`` float32 (H, W): the previous depth warped to each new pixel; ``source_map`` float32
        (H, W, 2): each new pixel's position in the previous image; ``usable`` bool (H, W); K 3x3.
        """
        rows, columns = self._rows, self._columns
        chosen = usable[rows, columns]
        if np.count_nonzero(chosen) < MIN_POINTS:
            return None
        rows, columns = rows[chosen], columns[chosen]
        depth = tracked_depth[rows, columns].astype(np.float64)
        source = source_map[rows, columns].astype(np.float64)
        fx, fy, cx, cy = camera_matrix[0, 0], camera_matrix[1, 1], camera_matrix[0, 2], camera_matrix[1, 2]
        object_points = np.stack([(source[:, 0] - cx) / fx * depth, (source[:, 1] - cy) / fy * depth, depth], axis=1)
        try:
            found, rotation_vector, translation, inliers = cv2.solvePnPRansac(
                object_points, self._image_points[chosen], camera_matrix, None, iterationsCount=RANSAC_ITERATIONS,
                reprojectionError=REPROJECTION_ERROR_PX, confidence=0.99, flags=cv2.SOLVEPNP_SQPNP)
        except cv2.error:
            return None
        if not found or inliers is None or len(inliers) < MIN_POINTS:
            return None
        rotation, _ = cv2.Rodrigues(rotation_vector)
        return rotation, translation.ravel()
