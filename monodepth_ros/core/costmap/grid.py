"""Square grids: cell geometry and whole-cell shifts."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridGeometry:
    """A square grid: row index along y, column index along x, ``origin_xy_m`` = lower-left corner of cell [0, 0]."""

    resolution_m: float
    cells: int
    origin_xy_m: tuple[float, float]

    def cell_of(self, x_m: float, y_m: float) -> tuple[int, int]:
        """(row, col) of the cell containing (x, y); may lie outside the grid."""
        return (int(math.floor((y_m - self.origin_xy_m[1]) / self.resolution_m)),
                int(math.floor((x_m - self.origin_xy_m[0]) / self.resolution_m)))

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """float64 (cells, cells) x and y of every cell centre."""
        along = (np.arange(self.cells) + 0.5) * self.resolution_m
        return np.meshgrid(self.origin_xy_m[0] + along, self.origin_xy_m[1] + along)


def shifted_grid(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``grid`` (..., H, W) moved so that new[..., r, c] = old[..., r + rows, c + cols]; cells from outside the old
    grid are 0."""
    if rows == 0 and cols == 0:
        return grid
    shifted = np.zeros_like(grid)
    height, width = grid.shape[-2:]
    if abs(rows) >= height or abs(cols) >= width:
        return shifted
    shifted[..., max(-rows, 0):height - max(rows, 0), max(-cols, 0):width - max(cols, 0)] = \
        grid[..., max(rows, 0):height - max(-rows, 0), max(cols, 0):width - max(-cols, 0)]
    return shifted
