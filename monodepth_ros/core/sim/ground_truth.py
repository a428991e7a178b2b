"""Ground truth derived from the scene: the part of an occupancy grid a sensor can see."""
from __future__ import annotations

import numpy as np


def visible_region(occupied: np.ndarray, resolution_m: float, sensor_xy_m: tuple[float, float],
                   sensor_yaw_rad: float, fov_rad: float, max_range_m: float) -> np.ndarray:
    """Cells of a base-frame grid a horizontal sensor fan can see: bool (N, N).

    ``occupied`` is a grid laid out as ``SimScene.occupancy_grid`` returns it; rays leave ``sensor_xy_m``
    (base frame, metres) over ``fov_rad`` around ``sensor_yaw_rad`` and stop at ``max_range_m`` or at the
    first occupied cell, which is included (the surface the sensor sees).
    """
    cells = occupied.shape[0]
    half = 0.5 * cells * resolution_m
    ray_count = max(2, int(np.ceil(fov_rad * max_range_m / (0.5 * resolution_m))))
    angles = sensor_yaw_rad + np.linspace(-0.5 * fov_rad, 0.5 * fov_rad, ray_count)
    steps = np.arange(0.0, max_range_m, 0.5 * resolution_m)
    x = sensor_xy_m[0] + np.cos(angles)[:, None] * steps[None, :]
    y = sensor_xy_m[1] + np.sin(angles)[:, None] * steps[None, :]
    col = np.floor((x + half) / resolution_m).astype(int)
    row = np.floor((y + half) / resolution_m).astype(int)
    inside = (col >= 0) & (col < cells) & (row >= 0) & (row < cells)
    hit = np.zeros_like(inside)
    hit[inside] = occupied[row[inside], col[inside]]
    after_first_hit = np.cumsum(hit, axis=1) - hit > 0
    keep = inside & ~after_first_hit
    region = np.zeros_like(occupied, dtype=bool)
    region[row[keep], col[keep]] = True
    return region
