"""Rendering an image from a new viewpoint with its depth: depth-ordered forward warping.

1. Every source pixel moves to where the new camera sees it; where several land on one output pixel the nearest
   wins (a z-buffer over depth in the new view).
2. Each output pixel remembers which source point it shows, corrected to sub-pixel precision (first order).
3. Output pixels nothing landed on are disocclusions (background the source view could not see) or cracks
   (a surface stretched by the motion). Along the motion's axis each takes the source point of the farther of its
   two nearest filled neighbours, so gaps fill from the background side and never with the foreground that
   uncovered them; a crack inside one surface (both neighbours within 5 % in depth, at most MAX_CRACK_PX apart)
   is interpolated between its neighbours instead.
4. Colours are sampled bilinearly from the source at those points.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

MAX_CRACK_PX = 3
SAME_SURFACE_RATIO = 0.05
_EMPTY = np.iinfo(np.int64).max


@dataclass
class WarpedView:
    """The new view's source sampling map and what it holds."""

    source_x: np.ndarray
    """float32 (H, W): source column each output pixel shows."""
    source_y: np.ndarray
    """float32 (H, W): source row each output pixel shows."""
    depth: np.ndarray
    """float32 (H, W): depth in the new view (inf = far); of the neighbour used where a gap was filled."""
    landed: np.ndarray
    """bool (H, W): a source pixel landed here (False = a filled gap)."""

    def sample(self, image: np.ndarray) -> np.ndarray:
        """``image`` (H, W[, C]) of the source view, seen from the new view (bilinear)."""
        return cv2.remap(image, self.source_x, self.source_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


@lru_cache(maxsize=8)
def _grids(height: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat float32 column and row of every pixel, and int64 pixel indices."""
    rows, columns = np.indices((height, width), dtype=np.float32)
    return columns.ravel(), rows.ravel(), np.arange(height * width, dtype=np.int64)


def _rounded_targets(target_x: np.ndarray, target_y: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Flat output pixel of each source pixel (int64), height * width where it is dropped."""
    height, width = depth.shape
    column = np.floor(target_x + np.float32(0.5)).astype(np.int32)
    row = np.floor(target_y + np.float32(0.5)).astype(np.int32)
    outside = (column < 0) | (column >= width) | (row < 0) | (row >= height) | ~(depth > 0.0)
    target = (row * width + column).astype(np.int64)
    target[outside] = height * width
    return target


def forward_warp(target_x: np.ndarray, target_y: np.ndarray, target_depth: np.ndarray,
                 fill_axis: int = 1) -> WarpedView:
    """Warp to where each source pixel lands: ``target_x``, ``target_y`` float32 (H, W) output pixel coordinates
    (any value; outside the image = dropped), ``target_depth`` float32 (H, W) its depth in the new view (inf = far,
    NaN or <= 0 = dropped). ``fill_axis``: 1 fills gaps along rows (horizontal motion), 0 along columns."""
    height, width = target_depth.shape
    count = height * width
    _, _, indices = _grids(height, width)
    depth = np.asarray(target_depth, np.float32)
    target = _rounded_targets(target_x, target_y, depth)
    # Non-negative float32 values order like their bit patterns: key = depth bits, then the source index.
    keys = depth.ravel().view(np.int32).astype(np.int64)
    keys <<= 32
    keys |= indices
    buffer = np.full(count + 1, _EMPTY, np.int64)
    np.minimum.at(buffer, target.ravel(), keys)
    buffer = buffer[:count]
    landed = buffer != _EMPTY
    winner = buffer & 0xFFFFFFFF
    return _view(winner, landed, target_x, target_y, depth, fill_axis)


def horizontal_warp(target_x: np.ndarray, target_depth: np.ndarray) -> WarpedView:
    """``forward_warp`` for motion along rows, as in a right view (x_right = x - d, d falling with depth): of
    two pixels of a row landing together the one further right has the larger disparity, so it is the nearer one
    and wins without a depth test. Gaps fill along rows."""
    height, width = target_depth.shape
    count = height * width
    _, rows, indices = _grids(height, width)
    depth = np.asarray(target_depth, np.float32)
    target_y = rows.reshape(height, width)
    target = _rounded_targets(target_x, target_y, depth)
    buffer = np.full(count + 1, -1, np.int64)
    np.maximum.at(buffer, target.ravel(), indices)
    winner = buffer[:count]
    landed = winner >= 0
    return _view(winner, landed, target_x, target_y, depth, 1)


def _view(winner: np.ndarray, landed: np.ndarray, target_x: np.ndarray, target_y: np.ndarray, depth: np.ndarray,
          fill_axis: int) -> WarpedView:
    """The sampling map from each output pixel's winning source pixel (flat ``winner``, valid where ``landed``):
    the winner's position moved by the offset of this pixel's centre from where the winner landed."""
    height, width = depth.shape
    columns, rows, _ = _grids(height, width)
    winner = np.where(landed, winner, 0)
    source_x = columns + (columns - np.asarray(target_x, np.float32).ravel())[winner]
    source_y = rows + (rows - np.asarray(target_y, np.float32).ravel())[winner]
    warped_depth = depth.ravel()[winner]
    warped_depth[~landed] = np.inf
    view = WarpedView(source_x.reshape(height, width), source_y.reshape(height, width),
                      warped_depth.reshape(height, width), landed.reshape(height, width))
    _fill_gaps(view, fill_axis)
    np.clip(view.source_x, 0.0, width - 1, out=view.source_x)
    np.clip(view.source_y, 0.0, height - 1, out=view.source_y)
    return view


def _fill_gaps(view: WarpedView, axis: int) -> None:
    """Fill the pixels nothing landed on along ``axis`` (in place), then any left along the other axis."""
    filled = view.landed.copy()
    for current in (axis, 1 - axis):
        if filled.all():
            return
        if current == 1:
            _fill_rows(filled, view.depth, view.source_x, view.source_y)
        else:
            _fill_rows(filled.T, view.depth.T, view.source_x.T, view.source_y.T)


def _fill_rows(filled: np.ndarray, depth: np.ndarray, source_x: np.ndarray, source_y: np.ndarray) -> None:
    """Fill each run of unfilled pixels of a row from the farther of its two filled neighbours (arrays, possibly
    transposed views, modified in place)."""
    height, width = filled.shape
    # Runs of gaps in the rows, with a filled sentinel column so that no run crosses a row end.
    padded = np.ones((height, width + 2), np.int8)
    padded[:, 1:-1] = filled
    change = np.diff(padded.ravel())
    starts = np.flatnonzero(change == -1) + 1
    ends = np.flatnonzero(change == 1) + 1
    if starts.size == 0:
        return
    rows = starts // (width + 2)
    first, stop = starts - rows * (width + 2) - 1, ends - rows * (width + 2) - 1
    has_left, has_right = first > 0, stop < width
    usable = has_left | has_right
    rows, first, stop, has_left, has_right = (a[usable] for a in (rows, first, stop, has_left, has_right))
    left, right = np.maximum(first - 1, 0), np.minimum(stop, width - 1)
    left_depth = np.where(has_left, depth[rows, left], -np.inf)
    right_depth = np.where(has_right, depth[rows, right], -np.inf)
    chosen = np.where(right_depth > left_depth, right, left)
    with np.errstate(invalid="ignore"):
        crack = (has_left & has_right & (stop - first <= MAX_CRACK_PX)
                 & (np.abs(left_depth - right_depth) <= SAME_SURFACE_RATIO * np.minimum(left_depth, right_depth)))
    lengths = stop - first
    run = np.repeat(np.arange(rows.size), lengths)
    offset = np.arange(run.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    gap_rows, gap_columns = rows[run], first[run] + offset
    new_x = source_x[rows, chosen][run]
    new_y = source_y[rows, chosen][run]
    in_crack = crack[run]
    if in_crack.any():
        r, lc, rc = gap_rows[in_crack], left[run][in_crack], right[run][in_crack]
        share = ((offset[in_crack] + 1) / (lengths[run][in_crack] + 1)).astype(np.float32)
        new_x[in_crack] = source_x[r, lc] + share * (source_x[r, rc] - source_x[r, lc])
        new_y[in_crack] = source_y[r, lc] + share * (source_y[r, rc] - source_y[r, lc])
    depth[gap_rows, gap_columns] = depth[rows, chosen][run]
    source_x[gap_rows, gap_columns] = new_x
    source_y[gap_rows, gap_columns] = new_y
    filled[gap_rows, gap_columns] = True
