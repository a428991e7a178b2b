"""Clearing rays: the part of each ray that clears, and the cells it crosses (Bresenham lines, OpenCV)."""
from __future__ import annotations

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints

LINE_SHIFT_BITS = 3
"""Ray ends are drawn with 1/8-cell precision."""


def clearing_ray_endpoints(depth: np.ndarray, intrinsics: Intrinsics, decimation: int, range_m: float,
                           confidence: np.ndarray | None = None, min_confidence: float = 0.0,
                           near_guard_m: float = 0.0) -> np.ndarray:
    """float32 (M, 3) points at Euclidean distance ``range_m`` from the camera, in its optical frame, along the
    rays of every ``decimation``-th pixel of ``depth`` (float32 (H, W) metres along z) that saw nothing within
    ``range_m``: NaN (no reading), +inf (no return, REP 117) or a point beyond ``range_m``.

    -inf (too close, REP 117), zero and negative depths clear nothing, and neither do pixels whose ``confidence``
    (float (H, W) 0..1, optional) is below ``min_confidence``. With ``near_guard_m`` > 0, a region of NaN pixels
    (8-connected, on the decimated image) whose bordering readings are mostly nearer than ``near_guard_m`` is
    taken as too near for the model (an obstacle right in front of the camera) and clears nothing.
    """
    depth = np.asarray(depth, dtype=np.float32)
    if depth.shape != (intrinsics.height, intrinsics.width):
        raise ValueError(f"depth image has shape {depth.shape} but the intrinsics describe "
                         f"{intrinsics.width}x{intrinsics.height} images")
    if not range_m > 0.0:
        raise ValueError(f"range_m must be positive, got {range_m}")
    rays = DepthToPoints().rays(intrinsics, decimation)
    sampled = depth[::decimation, ::decimation]
    lengths = np.sqrt(rays.x * rays.x + rays.y * rays.y + np.float32(1.0))
    with np.errstate(invalid="ignore", over="ignore"):
        clears = np.isnan(sampled) | (sampled * lengths > range_m)
        if confidence is not None:
            if np.shape(confidence) != depth.shape:
                raise ValueError(f"confidence has shape {np.shape(confidence)}, the depth image {depth.shape}")
            clears &= np.asarray(confidence, dtype=np.float32)[::decimation, ::decimation] >= min_confidence
    if near_guard_m > 0.0:
        clears &= ~too_near_regions(sampled, near_guard_m)
    along = np.float32(range_m) / lengths[clears]
    return np.stack([rays.x[clears] * along, rays.y[clears] * along, along], axis=1)


def too_near_regions(depth: np.ndarray, near_guard_m: float) -> np.ndarray:
    """bool (H, W): the NaN pixels of ``depth`` (float32 (H, W) metres) in 8-connected NaN regions more than half
    of whose bordering finite pixels are nearer than ``near_guard_m``."""
    missing = np.isnan(depth)
    count, labels = cv2.connectedComponents(missing.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(depth.shape, dtype=bool)
    neighbour = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int64)
    border = ~missing & np.isfinite(depth) & (neighbour > 0)
    near = np.bincount(neighbour[border], weights=depth[border] < near_guard_m, minlength=count)
    total = np.bincount(neighbour[border], minlength=count)
    near_label = near > 0.5 * total
    near_label[0] = False
    return near_label[labels]


def clearing_span(origin_height: float, heights: np.ndarray, ranges: np.ndarray, range_m: float, bottom: float,
                  top: float) -> tuple[np.ndarray, np.ndarray]:
    """Fractions (first, last) of each ray sensor -> point that lie within ``range_m`` (metres) of the sensor and
    whose height, which varies linearly along the ray, lies in [``bottom``, ``top``]. Rays with last <= first clear
    nothing in that band."""
    climb = heights - np.float32(origin_height)
    rising, falling = climb > 0.0, climb < 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        last = np.minimum(np.float32(1.0), np.float32(range_m) / ranges)
        at_bottom = np.float32(bottom - origin_height) / climb
        at_top = np.float32(top - origin_height) / climb
    first = np.where(rising, at_bottom, np.where(falling, at_top, np.float32(0.0)))
    last = np.where(rising, np.minimum(last, at_top), np.where(falling, np.minimum(last, at_bottom), last))
    if not bottom <= origin_height <= top:
        last = np.where(climb == 0.0, np.float32(-1.0), last)
    return np.maximum(first, np.float32(0.0)), last


def traced_cells(origin_cell: np.ndarray, ends: np.ndarray, end_cells: np.ndarray, first: np.ndarray,
                  last: np.ndarray, cells: int, reach: int) -> tuple[np.ndarray, int]:
    """bool (cells, cells) crossed by the segments origin + [first, last] * (end - origin), and the number of
    segments drawn. Coordinates are continuous cell coordinates (cell [r, c] spans [c, c + 1) x [r, r + 1));
    ``end_cells`` are the (col, row) cells of ``ends``.

    Segments ending in the same cell are drawn once, from the earliest start among them to that cell's centre
    (all start on their ray from the origin, so they overlap). Every end lies within ``reach`` cells of the origin.
    The segments that start at the origin are drawn as one polyline out to each end and back, which OpenCV draws
    several times faster than separate segments.
    """
    cut = last < 1.0
    if cut.any():
        end_cells = end_cells.copy()
        end_cells[cut] = np.floor(origin_cell + last[cut, np.newaxis] * (ends[cut] - origin_cell))
    origin_col, origin_row = (int(value) for value in np.floor(origin_cell))
    side = 2 * reach + 1
    cols = np.clip(end_cells[:, 0] - origin_col, -reach, reach)
    rows = np.clip(end_cells[:, 1] - origin_row, -reach, reach)
    keys = (rows + reach) * side + (cols + reach)
    start_fractions = np.full(side * side, np.inf, dtype=np.float32)
    np.minimum.at(start_fractions, keys, (first / last).astype(np.float32))
    ends_drawn = np.flatnonzero(np.isfinite(start_fractions))
    canvas = np.zeros((cells, cells), dtype=np.uint8)
    if len(ends_drawn) == 0:
        return canvas.astype(bool), 0
    end_centres = np.stack([ends_drawn % side - reach + origin_col, ends_drawn // side - reach + origin_row],
                           axis=1) + 0.5
    fractions = start_fractions[ends_drawn]
    scale = float(1 << LINE_SHIFT_BITS)
    from_origin = fractions == 0.0
    zigzag = np.empty((2 * int(from_origin.sum()), 2), dtype=np.int32)
    zigzag[0::2] = np.rint((origin_cell - 0.5) * scale)
    zigzag[1::2] = np.rint((end_centres[from_origin] - 0.5) * scale)
    if len(zigzag):
        cv2.polylines(canvas, [zigzag], False, 1, 1, cv2.LINE_8, LINE_SHIFT_BITS)
    later_ends = end_centres[~from_origin]
    if len(later_ends):
        starts = origin_cell + fractions[~from_origin, np.newaxis] * (later_ends - origin_cell)
        segments = np.empty((len(later_ends), 2, 2), dtype=np.int32)
        segments[:, 0] = np.rint((starts - 0.5) * scale)
        segments[:, 1] = np.rint((later_ends - 0.5) * scale)
        cv2.polylines(canvas, segments, False, 1, 1, cv2.LINE_8, LINE_SHIFT_BITS)
    return canvas.astype(bool), len(ends_drawn)
