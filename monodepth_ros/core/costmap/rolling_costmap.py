"""Rolling obstacle costmap from 3-D points: ray-traced clearing, decaying log-odds evidence, Nav2 inflation.

Frames and grid
    Points are given in the robot's base frame (REP 103: x forward, y left, z up, z = 0 on the floor). The costmap
    read back is a square window of ``size_m`` centred on the base, in the base frame, laid out like
    nav_msgs/OccupancyGrid data and ``SimScene.occupancy_grid``: row index along base y, column index along base x,
    cell [0, 0] at the lower-left corner (-size/2, -size/2); the centre of cell [row, col] is at
    x = -size/2 + (col + 0.5) * resolution, y = -size/2 + (row + 0.5) * resolution.

    Evidence is stored on a larger square whose axes are those of the world frame that ``move_to`` poses are given
    in (e.g. odom), centred on the robot's cell. Moving the robot shifts it by whole cells, so stored evidence is
    never resampled, and it covers the base-frame window at every heading. Reading the costmap takes, for each
    base-frame cell, the stored cell that contains its centre. Until ``move_to`` is called the world frame is the
    base frame and both grids coincide cell for cell.

Evidence (per cell, hit/miss log-odds as in OctoMap)
    In each update a cell is *hit* when a point whose height lies in [min_obstacle_height_m,
    max_obstacle_height_m] and whose 3-D distance from the sensor is at most obstacle_max_range_m falls in it, and
    *missed* when it is not hit and a clearing ray crosses it or a ground point within raytrace_max_range_m falls
    in it (also with raytrace_clearing off). A hit adds
    logit(hit_probability), a miss adds logit(miss_probability), at most once per cell and update; the sum is kept
    within [logit(min_probability), logit(max_probability)]. A cell is an obstacle when its evidence is at least
    logit(occupied_probability), free when it is at most logit(free_probability), unknown otherwise (never
    observed, conflicting, or forgotten). Between updates evidence decays towards 0 (unknown) with a half-life of
    evidence_half_life_s in the time of the update stamps (0 = never forgets); a stamp older than the previous one
    decays nothing. Given the clock (``now_s``), an update stamped more than future_stamp_tolerance_s ahead of it is
    refused (StampError), and when the newest stamp seen lies that far ahead of the clock (sim time restarted, a
    bag looped) decay restarts from the new stamp, so one bad stamp cannot stop forgetting.

Near points
    Points nearer than obstacle_min_range_m to the sensor are dropped before anything else: (0, 0, 0) is the "no
    return" of many drivers, and would otherwise mark the robot's own cell.

Clearing rays
    Every finite point clears the cells on the line from the sensor to its own cell; rays to points farther than
    raytrace_max_range_m are cut at that range. Only the part of a ray whose height lies below
    max_obstacle_height_m clears (a ray above the band proves nothing about it). The cell of a point in the height
    band is never cleared by its own update. ``invalid_ray_endpoints_base`` are ray ends of pixels without a depth
    reading: they clear their ray (cut as above and also where it would pass below the floor) and mark nothing.
    Rays that end in the same cell are drawn once, to that cell's centre (Bresenham lines, OpenCV).

Ground
    'height': heights are base z. 'ransac': the floor plane is fitted with Open3D's segment_plane and heights are
    signed distances above it, so a tilted floor (a ramp, a pitched camera mount) is not an obstacle. A plane
    tilted more than ransac_max_tilt_deg from base z, or passing farther than ransac_max_floor_offset_m from the
    base origin (the base frame sits on the floor), is rejected and the next plane is tried (up to
    RANSAC_PLANE_ATTEMPTS); without an acceptable plane the update falls back to 'height'. Points whose height is
    below min_obstacle_height_m are ground.

Values
    ``costs``: Nav2 costs (uint8) FREE_SPACE 0, inflated 1..252, INSCRIBED_INFLATED_OBSTACLE 253, LETHAL_OBSTACLE
    254, NO_INFORMATION 255. Inflation follows nav2_costmap_2d's InflationLayer: a cell whose centre lies at
    distance d (metres, between cell centres) from the nearest obstacle cell costs 253 for d <= inscribed_radius_m,
    int(252 * exp(-cost_scaling_factor * (d - inscribed_radius_m))) for d <= inflation_radius_m, and keeps its
    cost beyond; the larger of its own cost and the inflated cost wins, except that an unknown cell stays unknown
    unless it lies within the inscribed radius (Nav2's default inflate_unknown: false).
    ``occupancy``: nav_msgs/OccupancyGrid values (int8) from the translation table of nav2_costmap_2d's
    Costmap2DPublisher: 0 -> 0, c in 1..252 -> 1 + (97 * (c - 1)) // 251 (1..98), 253 -> 99, 254 -> 100,
    255 -> -1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.cost_values import COST_TO_OCCUPANCY, FREE_SPACE, LETHAL_OBSTACLE, NO_INFORMATION
from monodepth_ros.core.costmap.grid import GridGeometry, shifted_grid
from monodepth_ros.core.costmap.ground import fit_floor_plane, heights_above_floor
from monodepth_ros.core.costmap.inflation import inflate
from monodepth_ros.core.costmap.raytrace import clearing_span, traced_cells

MAX_WORLD_COORDINATE_M = 1e7
"""Largest robot position (per axis) ``move_to`` accepts: beyond it cell indices lose meaning (metres)."""


def logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


@dataclass(frozen=True)
class CostmapUpdate:
    """What one ``RollingCostmap.update`` did."""

    points_used: int
    points_dropped: int
    """Points with a NaN or infinite coordinate, or one beyond MAX_WORLD_COORDINATE_M."""
    points_too_near: int
    """Finite points nearer than obstacle_min_range_m to the sensor."""
    obstacle_points: int
    ground_points: int
    unreliable_points: int
    """Points whose confidence is below min_confidence (they neither mark nor clear)."""
    clearing_rays: int
    """Ray segments traced, one per height band a ray crosses (segments ending in the same cell are traced once)."""
    hit_cells: int
    missed_cells: int
    ground_plane: tuple[float, float, float, float] | None
    """(a, b, c, d) with a x + b y + c z + d = height above the floor, c > 0 ('ransac' only; None otherwise)."""


class StampError(ValueError):
    """An update stamped too far ahead of the clock."""


class RollingCostmap:
    """Obstacle evidence in a window that moves with the robot; see the module docstring for the model."""

    def __init__(self, config: CostmapConfig = CostmapConfig()) -> None:
        self.config = config
        window = config.cells
        margin = math.ceil(window * (math.sqrt(2.0) - 1.0) / 2.0) + 1
        self._stored_cells = window + 2 * margin
        self._evidence = np.zeros((config.bands, self._stored_cells, self._stored_cells), dtype=np.float32)
        """Log-odds per height band and stored cell, (bands, rows, cols)."""
        self._window_shift = np.zeros(2, dtype=np.int64)
        """Stored-window centre in cells from the world origin, (x, y)."""
        self._world_from_base = np.eye(4)
        self._last_stamp_s: float | None = None
        self._hit = np.float32(logit(config.hit_probability))
        self._miss = np.float32(logit(config.miss_probability))
        self._occupied = np.float32(logit(config.occupied_probability))
        self._free = np.float32(logit(config.free_probability))
        self._clamp = (np.float32(logit(config.min_probability)), np.float32(logit(config.max_probability)))
        half_size = 0.5 * window * config.resolution_m
        self.geometry = GridGeometry(config.resolution_m, window, (-half_size, -half_size))
        """The base-frame window that ``costs``, ``occupancy`` and ``obstacles`` describe."""
        centres_x, centres_y = self.geometry.cell_centres()
        self._window_centres = np.stack([centres_x.ravel(), centres_y.ravel()])

    def _stored_geometry(self) -> GridGeometry:
        """The world-aligned grid that holds the evidence (origin in the world frame)."""
        corner = (self._window_shift - self._stored_cells / 2.0) * self.config.resolution_m
        return GridGeometry(self.config.resolution_m, self._stored_cells, (float(corner[0]), float(corner[1])))

    def move_to(self, world_from_base: np.ndarray) -> None:
        """Set the robot's pose (4x4, base -> world); stored evidence shifts by whole cells to stay centred."""
        world_from_base = np.asarray(world_from_base, dtype=np.float64)
        if world_from_base.shape != (4, 4):
            raise ValueError(f"world_from_base must be a 4x4 transform, got shape {world_from_base.shape}")
        if not np.isfinite(world_from_base).all():
            raise ValueError(f"world_from_base holds NaN or infinite values: {world_from_base[:3].tolist()}")
        position = world_from_base[:2, 3]
        if np.abs(position).max() > MAX_WORLD_COORDINATE_M:
            raise ValueError(f"robot position ({position[0]:.4g}, {position[1]:.4g}) m lies farther than "
                             f"{MAX_WORLD_COORDINATE_M:.0e} m from the world origin")
        shift = np.round(world_from_base[:2, 3] / self.config.resolution_m).astype(np.int64)
        step_x, step_y = (int(value) for value in shift - self._window_shift)
        self._evidence = shifted_grid(self._evidence, step_y, step_x)
        self._window_shift = shift
        self._world_from_base = world_from_base

    def update(self, points_base: np.ndarray, sensor_origin_base: np.ndarray, stamp_s: float,
               invalid_ray_endpoints_base: np.ndarray | None = None,
               confidence: np.ndarray | None = None, now_s: float | None = None) -> CostmapUpdate:
        """Integrate one observation taken from ``sensor_origin_base`` at time ``stamp_s`` (seconds).

        ``points_base``: float (N, 3) returns in the base frame; rows with a NaN or infinite coordinate are dropped.
        ``invalid_ray_endpoints_base``: float (M, 3) ends of rays that returned nothing within range (only clear).
        ``confidence``: float (N,) 0..1 per point (None: all 1); see the module docstring.
        ``now_s``: the clock the stamps follow (seconds, e.g. the node's clock, sim time included); raises
        StampError when ``stamp_s`` lies more than future_stamp_tolerance_s ahead of it.
        """
        config = self.config
        weights = np.ones(len(points_base), np.float32) if confidence is None else np.asarray(confidence, np.float32)
        if weights.shape != (len(points_base),):
            raise ValueError(f"confidence must have shape ({len(points_base)},), got {weights.shape}")
        points, dropped, finite = _finite_points(points_base, "points_base")
        weights = np.nan_to_num(weights[finite], nan=0.0)
        origin = np.asarray(sensor_origin_base, dtype=np.float64).reshape(-1)
        if origin.shape != (3,) or not np.isfinite(origin).all():
            raise ValueError(f"sensor_origin_base must be 3 finite values, got {sensor_origin_base!r}")
        if not math.isfinite(stamp_s):
            raise ValueError(f"stamp_s must be finite, got {stamp_s}")
        if now_s is not None and stamp_s > now_s + config.future_stamp_tolerance_s:
            raise StampError(f"stamp {stamp_s:.3f} s lies {stamp_s - now_s:.3f} s ahead of the clock (more than "
                             f"future_stamp_tolerance_s = {config.future_stamp_tolerance_s} s): not integrated")
        endpoints = np.zeros((0, 3), np.float32)
        if invalid_ray_endpoints_base is not None:
            endpoints, _, _ = _finite_points(invalid_ray_endpoints_base, "invalid_ray_endpoints_base")
        ranges = _distances(points, origin)
        far_enough = ranges >= config.obstacle_min_range_m
        too_near = int(far_enough.size - np.count_nonzero(far_enough))
        if too_near:
            points, ranges, weights = points[far_enough], ranges[far_enough], weights[far_enough]
        self._decay_to(stamp_s, now_s)
        plane = fit_floor_plane(points, config) if config.ground_removal == "ransac" else None
        heights = heights_above_floor(points, plane)
        origin_height = float(heights_above_floor(origin[np.newaxis].astype(np.float32), plane)[0])
        reliable = weights >= config.min_confidence
        in_band = (heights >= config.min_obstacle_height_m) & (heights <= config.max_obstacle_height_m)
        marking = in_band & (ranges <= config.obstacle_max_range_m) & reliable
        ground = (heights < config.min_obstacle_height_m) & (ranges <= config.raytrace_max_range_m) & reliable
        if config.range_weight_m > 0.0:
            with np.errstate(divide="ignore"):
                weights = weights * np.minimum(np.float32(1.0), np.float32(config.range_weight_m) / ranges)

        stored = self._stored_geometry()
        to_world = self._world_from_base[:2, :3].T.astype(np.float32)
        points_cell = self._cell_coordinates(points @ to_world, stored)
        point_cells = np.floor(points_cell).astype(np.int32)
        bands = config.bands
        point_bands = np.minimum(bands - 1, np.floor(heights / np.float32(config.clearing_band_m))).astype(np.int64)
        hit_weights = self._band_maxima(point_cells[marking], point_bands[marking], weights[marking])
        hits = hit_weights > 0.0
        misses = np.zeros_like(hits)
        misses[0] = self._cell_mask(point_cells[ground])
        ray_count = 0
        if config.raytrace_clearing:
            origin_cell = self._cell_coordinates(origin[np.newaxis].astype(np.float32) @ to_world, stored)[0]
            rays = [(heights[reliable], ranges[reliable], points_cell[reliable], point_cells[reliable], False)]
            if len(endpoints):
                endpoints_cell = self._cell_coordinates(endpoints @ to_world, stored)
                rays.append((heights_above_floor(endpoints, plane), _distances(endpoints, origin), endpoints_cell,
                             np.floor(endpoints_cell).astype(np.int32), True))
            reach = math.ceil(config.raytrace_max_range_m / config.resolution_m) + 2
            for band in range(bands):
                spans = [(clearing_span(origin_height, ray_heights, ray_ranges, config.raytrace_max_range_m,
                                        *config.band_limits(band, floor_clip)), ends, end_cells)
                         for ray_heights, ray_ranges, ends, end_cells, floor_clip in rays]
                first = np.concatenate([span[0][0] for span in spans])
                last = np.concatenate([span[0][1] for span in spans])
                kept = last > first
                if not kept.any():
                    continue
                ends = np.concatenate([span[1] for span in spans])[kept]
                end_cells = np.concatenate([span[2] for span in spans])[kept]
                traced, drawn = traced_cells(origin_cell, ends, end_cells, first[kept], last[kept],
                                             self._stored_cells, reach)
                misses[band] |= traced
                ray_count += drawn
        misses &= ~hits
        misses &= ~self._cell_mask(point_cells[in_band & (ranges > config.obstacle_max_range_m)])
        self._evidence[misses] += self._miss
        self._evidence[hits] += self._hit * hit_weights[hits]
        np.clip(self._evidence, *self._clamp, out=self._evidence)
        return CostmapUpdate(points_used=len(points), points_dropped=dropped, points_too_near=too_near,
                             obstacle_points=int(np.count_nonzero(marking)),
                             ground_points=int(np.count_nonzero(heights < config.min_obstacle_height_m)),
                             unreliable_points=int(np.count_nonzero(~reliable)),
                             clearing_rays=ray_count, hit_cells=int(np.count_nonzero(hits.any(axis=0))),
                             missed_cells=int(np.count_nonzero(misses.any(axis=0))),
                             ground_plane=None if plane is None else tuple(float(v) for v in plane))

    def costs(self) -> np.ndarray:
        """uint8 (cells, cells) Nav2 costs of the base-frame window, inflated."""
        evidence = self._window_evidence()
        costs = np.full(evidence.shape, NO_INFORMATION, dtype=np.uint8)
        costs[evidence <= self._free] = FREE_SPACE
        lethal = evidence >= self._occupied
        costs[lethal] = LETHAL_OBSTACLE
        if lethal.any():
            inflate(costs, lethal, self.config)
        return costs

    def occupancy(self) -> np.ndarray:
        """int8 (cells, cells) OccupancyGrid values: -1 unknown, 0 free, 1..99 inflated, 100 lethal."""
        return COST_TO_OCCUPANCY[self.costs()]

    def obstacles(self) -> np.ndarray:
        """bool (cells, cells): obstacle cells of the base-frame window (before inflation)."""
        return self._window_evidence() >= self._occupied

    def _decay_to(self, stamp_s: float, now_s: float | None) -> None:
        half_life_s = self.config.evidence_half_life_s
        if (now_s is not None and self._last_stamp_s is not None
                and self._last_stamp_s > now_s + self.config.future_stamp_tolerance_s):
            self._last_stamp_s = None  # the clock went back: decay restarts from this stamp
        if self._last_stamp_s is not None and half_life_s > 0.0 and stamp_s > self._last_stamp_s:
            self._evidence *= np.float32(0.5 ** ((stamp_s - self._last_stamp_s) / half_life_s))
        if self._last_stamp_s is None or stamp_s > self._last_stamp_s:
            self._last_stamp_s = stamp_s

    def _cell_coordinates(self, rotated_xy: np.ndarray, stored: GridGeometry) -> np.ndarray:
        """float32 (N, 2) continuous (x, y) coordinates in the stored grid, where cell [r, c] spans [c, c + 1) x
        [r, r + 1), of base points whose world-axis offsets from the base origin are ``rotated_xy``."""
        corner = np.asarray(stored.origin_xy_m) - self._world_from_base[:2, 3]
        return (rotated_xy - corner.astype(np.float32)) * np.float32(1.0 / stored.resolution_m)

    def _cell_mask(self, cells: np.ndarray) -> np.ndarray:
        """bool (stored, stored): True at the (col, row) ``cells`` (int (N, 2)) that lie in the stored grid."""
        mask = np.zeros((self._stored_cells, self._stored_cells), dtype=bool)
        cols, rows = cells[:, 0], cells[:, 1]
        inside = (cols >= 0) & (cols < self._stored_cells) & (rows >= 0) & (rows < self._stored_cells)
        mask[rows[inside], cols[inside]] = True
        return mask

    def _band_maxima(self, cells: np.ndarray, bands: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """float32 (bands, stored, stored): the largest of ``weights`` (N,) per band and cell of the (col, row)
        ``cells`` (int (N, 2)) in ``bands`` (int (N,)) that lie in the stored grid; 0 elsewhere."""
        size = self._stored_cells
        maxima = np.zeros((self.config.bands, size, size), dtype=np.float32)
        cols, rows = cells[:, 0], cells[:, 1]
        inside = (cols >= 0) & (cols < size) & (rows >= 0) & (rows < size)
        np.maximum.at(maxima, (bands[inside], rows[inside], cols[inside]), weights[inside])
        return maxima

    def _column_evidence(self) -> np.ndarray:
        """float32 (stored, stored) evidence of each cell's column: its most occupied band where any band leans
        towards occupied, else its most free band."""
        most = self._evidence.max(axis=0)
        return np.where(most > 0.0, most, self._evidence.min(axis=0))

    def _window_evidence(self) -> np.ndarray:
        """float32 (cells, cells) column evidence at the base-frame window's cell centres."""
        stored = self._stored_geometry()
        rotation = self._world_from_base[:2, :2]
        corner = np.asarray(stored.origin_xy_m) - self._world_from_base[:2, 3]
        relative = rotation @ self._window_centres - corner[:, np.newaxis]
        cols, rows = np.floor(relative / stored.resolution_m).astype(np.int64)
        return self._column_evidence()[rows, cols].reshape(self.geometry.cells, self.geometry.cells)


def _finite_points(points, name: str) -> tuple[np.ndarray, int, np.ndarray]:
    """``points`` as float32 (N, 3) without the rows that hold a NaN, an infinity or a coordinate beyond
    MAX_WORLD_COORDINATE_M, the number of such rows, and the bool (N,) mask of the rows kept."""
    with np.errstate(over="ignore"):
        points = np.asarray(points, dtype=np.float32)
    if points.ndim != 2 or points.shape[1] != 3:
        raise ValueError(f"{name} must have shape (N, 3), got {points.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.abs(points).max(axis=1, initial=0.0) <= MAX_WORLD_COORDINATE_M
    if finite.all():
        return points, 0, finite
    return points[finite], int(finite.size - finite.sum()), finite


def _distances(points: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """float32 (N,) Euclidean distances of ``points`` (N, 3) from ``origin`` (3,)."""
    offsets = points - origin.astype(np.float32)
    return np.sqrt(np.einsum("ij,ij->i", offsets, offsets))
