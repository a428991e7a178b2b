"""LiDAR points to sparse depth images: pinhole projection with a z-buffer and parallax occlusion filtering.

Pixel centres lie at integer coordinates (the OpenCV and ROS convention): a point projecting to (u, v) lands in
column round(u), row round(v).
"""
from __future__ import annotations

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics

DEFAULT_OCCLUSION_WINDOW_PX = 5
DEFAULT_OCCLUSION_TOLERANCE = 0.1


def project_points(points_camera: np.ndarray, intrinsics: Intrinsics, min_depth_m: float, max_depth_m: float,
                   occlusion_window_px: int = DEFAULT_OCCLUSION_WINDOW_PX,
                   occlusion_tolerance: float = DEFAULT_OCCLUSION_TOLERANCE) -> np.ndarray:
    """Sparse depth image (metres along the optical axis) of points given in the camera optical frame.

    ``points_camera`` is float (N, 3), x right, y down, z forward, in metres. Points that are not finite, whose
    z lies outside [min_depth_m, max_depth_m] (or is not positive: behind the camera) or that fall outside the image
    are dropped. Where several points
    hit one pixel the nearest wins. Because the LiDAR sees the scene from another viewpoint than the camera, it
    can return background points that the camera cannot see next to foreground ones; a point is therefore
    dropped when another projected point within the ``occlusion_window_px`` x ``occlusion_window_px`` pixel
    window around it is nearer by more than ``occlusion_tolerance`` (relative: kept when
    z <= (1 + tolerance) * nearest z in the window). A window of 1 disables that filter.

    Returns float32 (intrinsics.height, intrinsics.width); NaN where no point remains.
    """
    if not 0.0 <= min_depth_m < max_depth_m:
        raise ValueError(f"need 0 <= min_depth_m < max_depth_m, got {min_depth_m} and {max_depth_m}")
    if occlusion_window_px < 1 or occlusion_tolerance < 0.0:
        raise ValueError(f"occlusion_window_px must be >= 1 and occlusion_tolerance >= 0, got "
                         f"{occlusion_window_px} and {occlusion_tolerance}")
    x, y, z = np.asarray(points_camera, dtype=np.float64).reshape(-1, 3).T
    height, width = intrinsics.height, intrinsics.width
    depth = np.full((height, width), np.inf, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        in_range = (z >= min_depth_m) & (z > 0.0) & (z <= max_depth_m) & np.isfinite(x) & np.isfinite(y)
    x, y, z = x[in_range], y[in_range], z[in_range]
    columns = np.floor(intrinsics.fx * x / z + intrinsics.cx + 0.5)
    rows = np.floor(intrinsics.fy * y / z + intrinsics.cy + 0.5)
    inside = (columns >= 0) & (columns < width) & (rows >= 0) & (rows < height)
    pixel_index = rows[inside].astype(np.int64) * width + columns[inside].astype(np.int64)
    np.minimum.at(depth.ravel(), pixel_index, z[inside].astype(np.float32))
    if occlusion_window_px > 1:
        kernel = np.ones((occlusion_window_px, occlusion_window_px), dtype=np.uint8)
        window_min = cv2.erode(depth, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=np.inf)
        depth[depth > (1.0 + occlusion_tolerance) * window_min] = np.inf
    depth[np.isinf(depth)] = np.nan
    return depth


def sample_at_points(image: np.ndarray, points_camera: np.ndarray, intrinsics: Intrinsics, outside: float
                     ) -> np.ndarray:
    """float32 (N,): the value of ``image`` (float (H, W), e.g. a confidence map) at the pixel each point
    (float (N, 3), camera optical frame, metres) projects to; ``outside`` for points behind the camera, outside
    the image or not finite, and where the image holds NaN."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (intrinsics.height, intrinsics.width):
        raise ValueError(f"image is {image.shape[1]}x{image.shape[0]} but the intrinsics describe "
                         f"{intrinsics.width}x{intrinsics.height} images")
    x, y, z = np.asarray(points_camera, dtype=np.float64).reshape(-1, 3).T
    values = np.full(x.shape, outside, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = np.floor(intrinsics.fx * x / z + intrinsics.cx + 0.5)
        rows = np.floor(intrinsics.fy * y / z + intrinsics.cy + 0.5)
        inside = (z > 0.0) & (columns >= 0) & (columns < intrinsics.width) & (rows >= 0) & (rows < intrinsics.height)
    values[inside] = image[rows[inside].astype(np.int64), columns[inside].astype(np.int64)]
    values[np.isnan(values)] = outside
    return values
