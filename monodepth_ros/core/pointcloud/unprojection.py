"""Depth image -> 3-D points in the camera optical frame (REP 103: x right, y down, z forward).

A pixel (u, v) with depth z becomes z * ((u - cx) / fx, (v - cy) / fy, 1). The range limits apply to z, the depth
along the optical axis: the quantity a depth image holds and depth_node's min/max_depth_m limit, so both filters
mean the same thing (the Euclidean distance of an off-axis point is larger than its z).

Open3D is imported on the first call of ``voxel_downsample`` or ``remove_statistical_outliers`` so that importing
this module stays fast.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics

SMALLEST_POSITIVE_DEPTH = float(np.finfo(np.float32).tiny)
LARGEST_FINITE_DEPTH = float(np.finfo(np.float32).max)
RGB_PIXEL = np.dtype("V3")
"""One RGB pixel as a single 3-byte item, so that whole pixels are selected in one pass."""


@dataclass(frozen=True)
class UnitRays:
    """Rays (x, y, 1) through the pixels kept at one decimation, on that sampled grid (rows, cols)."""

    x: np.ndarray
    """float32 (rows, cols): (u - cx) / fx."""
    y: np.ndarray
    """float32 (rows, cols): (v - cy) / fy."""


@dataclass(frozen=True)
class DepthPoints:
    """Points unprojected from one depth image, with the depth pixels they came from."""

    xyz: np.ndarray
    """float32 (N, 3) metres in the camera optical frame, C-contiguous, in row-major pixel order."""
    kept: np.ndarray
    """bool (rows, cols): which pixels of the sampled grid (every ``decimation``-th pixel) became points."""
    decimation: int
    image_height: int
    image_width: int

    @cached_property
    def pixel_index(self) -> np.ndarray:
        """intp (N,): row-major index v * image_width + u of each point's pixel in the depth image."""
        rows, cols = np.nonzero(self.kept)
        return rows * (self.decimation * self.image_width) + cols * self.decimation

    def colours_from(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 (N, 3): the colour of each point's pixel in ``rgb`` (uint8 (H, W, 3)).

        ``rgb`` may have another resolution than the depth image; both are taken to show the same field of view
        and each point takes the colour of the colour pixel that contains its depth pixel's centre.
        """
        rgb = np.asarray(rgb)
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"rgb must be uint8 of shape (H, W, 3), got {rgb.dtype} {rgb.shape}")
        if rgb.shape[:2] != (self.image_height, self.image_width):
            rgb = cv2.resize(rgb, (self.image_width, self.image_height), interpolation=cv2.INTER_NEAREST_EXACT)
        pixels = np.ascontiguousarray(rgb).view(RGB_PIXEL)[:, :, 0]
        return pixels[::self.decimation, ::self.decimation][self.kept].view(np.uint8).reshape(-1, 3)


class DepthToPoints:
    """Unprojects depth images; keeps the rays of the last (intrinsics, decimation) for the next image."""

    def __init__(self) -> None:
        self._rays_key: tuple[Intrinsics, int] | None = None
        self._rays: UnitRays | None = None

    def rays(self, intrinsics: Intrinsics, decimation: int) -> UnitRays:
        """Rays through every ``decimation``-th pixel in both axes, starting at (0, 0); cached per arguments."""
        decimation = operator.index(decimation)
        if decimation < 1:
            raise ValueError(f"decimation must be >= 1, got {decimation}")
        key = (intrinsics, decimation)
        if key != self._rays_key:
            self._rays = _unit_rays(intrinsics, decimation)
            self._rays_key = key
        return self._rays

    def convert(self, depth: np.ndarray, intrinsics: Intrinsics, decimation: int = 1, min_range_m: float = 0.0,
                max_range_m: float = math.inf, discontinuity_ratio: float = 0.0) -> DepthPoints:
        """Points of every ``decimation``-th pixel of ``depth`` (float32 (H, W) metres) with z in
        [``min_range_m``, ``max_range_m``]; NaN, infinite and non-positive depths are dropped, and so are pixels
        on depth discontinuities when ``discontinuity_ratio`` > 0 (see ``depth_discontinuities``)."""
        depth = np.asarray(depth, dtype=np.float32)
        if depth.ndim != 2:
            raise ValueError(f"depth must have shape (H, W), got {depth.shape}")
        if depth.shape != (intrinsics.height, intrinsics.width):
            raise ValueError(f"depth image is {depth.shape[1]}x{depth.shape[0]} but the intrinsics describe "
                             f"{intrinsics.width}x{intrinsics.height} images")
        if not 0.0 <= min_range_m < max_range_m:
            raise ValueError(f"need 0 <= min_range_m < max_range_m, got min_range_m={min_range_m}, "
                             f"max_range_m={max_range_m}")
        rays = self.rays(intrinsics, decimation)
        sampled = depth[::decimation, ::decimation]
        kept = np.greater_equal(sampled, max(min_range_m, SMALLEST_POSITIVE_DEPTH))
        kept &= np.less_equal(sampled, min(max_range_m, LARGEST_FINITE_DEPTH))
        if discontinuity_ratio > 0.0:
            kept &= ~depth_discontinuities(depth, discontinuity_ratio)[::decimation, ::decimation]
        z = sampled[kept]
        xyz = np.empty((z.size, 3), dtype=np.float32)
        np.multiply(rays.x[kept], z, out=xyz[:, 0])
        np.multiply(rays.y[kept], z, out=xyz[:, 1])
        xyz[:, 2] = z
        return DepthPoints(xyz, kept, decimation, intrinsics.height, intrinsics.width)


def depth_discontinuities(depth: np.ndarray, ratio: float) -> np.ndarray:
    """bool (H, W): pixels whose 3x3 neighbourhood spans more than ``ratio`` times their depth.

    These are the "flying pixels" a network smears across object edges: points between an object and its
    background that would appear as obstacles in free space. Invalid (NaN) neighbours never make an edge.
    """
    finite = np.isfinite(depth)
    kernel = np.ones((3, 3), np.uint8)
    largest = cv2.dilate(np.where(finite, depth, 0.0).astype(np.float32), kernel)
    smallest = cv2.erode(np.where(finite, depth, np.inf).astype(np.float32), kernel)
    with np.errstate(invalid="ignore"):
        return finite & (largest - smallest > ratio * depth)


def _unit_rays(intrinsics: Intrinsics, decimation: int) -> UnitRays:
    u = np.arange(0, intrinsics.width, decimation, dtype=np.float64)
    v = np.arange(0, intrinsics.height, decimation, dtype=np.float64)
    x_of_column = ((u - intrinsics.cx) / intrinsics.fx).astype(np.float32)
    y_of_row = ((v - intrinsics.cy) / intrinsics.fy).astype(np.float32)
    shape = (v.size, u.size)
    return UnitRays(x=np.ascontiguousarray(np.broadcast_to(x_of_column, shape)),
                    y=np.ascontiguousarray(np.broadcast_to(y_of_row[:, np.newaxis], shape)))
