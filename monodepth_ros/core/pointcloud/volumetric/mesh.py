"""Triangle meshes from depth images: the pixel grid triangulated, without faces across depth discontinuities.

Every ``decimation``-th pixel with valid depth becomes a vertex z * ((u - cx) / fx, (v - cy) / fy, 1) (metres,
camera optical frame). Each 2 x 2 block of neighbouring grid vertices gives two triangles (split along the
diagonal with the smaller depth difference); a triangle is kept only when its three vertices exist and its depth
span max(z) - min(z) is at most ``edge_ratio`` * min(z). That removes the skins a plain grid mesh would stretch
from a near object's outline to the background behind it: surfaces that really are slanted that steeply (seen
almost edge-on) lose their faces too, which is the usual compromise of depth-grid meshing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.pointcloud.unprojection import DepthPoints, DepthToPoints

DEFAULT_EDGE_RATIO = 0.05


@dataclass(frozen=True)
class DepthMesh:
    """A triangle mesh of one depth image."""

    xyz: np.ndarray
    """float32 (N, 3) vertices, metres in the camera optical frame."""
    faces: np.ndarray
    """int32 (F, 3) vertex indices, counter-clockwise seen from the camera."""
    points: DepthPoints
    """The unprojected pixels behind the vertices (for their colours: ``points.colours_from(rgb)``)."""


def _kept_triangles(z: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, edge_ratio: float) -> np.ndarray:
    corners = np.stack([z[a], z[b], z[c]])
    with np.errstate(invalid="ignore"):
        nearest = corners.min(axis=0)
        return np.isfinite(corners).all(axis=0) & (corners.max(axis=0) - nearest <= edge_ratio * nearest)


def depth_mesh(depth: np.ndarray, intrinsics: Intrinsics, decimation: int = 1, edge_ratio: float = DEFAULT_EDGE_RATIO,
               unprojector: DepthToPoints | None = None) -> DepthMesh:
    """The mesh of ``depth`` float (H, W) metres along the optical axis (NaN, inf, <= 0 = no vertex)."""
    if not edge_ratio > 0.0:
        raise ValueError(f"edge_ratio must be positive, got {edge_ratio}")
    points = (unprojector or DepthToPoints()).convert(depth, intrinsics, decimation)
    rows, columns = points.kept.shape
    z = np.full(rows * columns, np.nan, np.float32)
    z[points.kept.ravel()] = points.xyz[:, 2]
    index = np.full(rows * columns, -1, np.int64)
    index[points.kept.ravel()] = np.arange(len(points.xyz))
    grid = np.arange(rows * columns).reshape(rows, columns)
    top_left, top_right = grid[:-1, :-1].ravel(), grid[:-1, 1:].ravel()
    bottom_left, bottom_right = grid[1:, :-1].ravel(), grid[1:, 1:].ravel()
    with np.errstate(invalid="ignore"):
        main_diagonal = np.abs(z[top_left] - z[bottom_right]) <= np.abs(z[top_right] - z[bottom_left])
    # image y points down: (top-left, bottom-left, top-right) runs counter-clockwise as the camera sees it
    first = np.where(main_diagonal[:, None], np.stack([top_left, bottom_left, bottom_right], 1),
                     np.stack([top_left, bottom_left, top_right], 1))
    second = np.where(main_diagonal[:, None], np.stack([top_left, bottom_right, top_right], 1),
                      np.stack([top_right, bottom_left, bottom_right], 1))
    triangles = np.concatenate([first, second])
    kept = _kept_triangles(z, triangles[:, 0], triangles[:, 1], triangles[:, 2], edge_ratio)
    return DepthMesh(points.xyz, index[triangles[kept]].astype(np.int32), points)
