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
    decays nothing.

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

import cv2
import numpy as np

from monodepth_ros.core.pointcloud import DepthToPoints
from monodepth_ros.core.types import Intrinsics

FREE_SPACE = 0
INSCRIBED_INFLATED_OBSTACLE = 253
LETHAL_OBSTACLE = 254
NO_INFORMATION = 255

OCCUPANCY_UNKNOWN = -1
OCCUPANCY_FREE = 0
OCCUPANCY_INSCRIBED = 99
OCCUPANCY_LETHAL = 100


def _cost_translation_table() -> np.ndarray:
    """int8 (256,): OccupancyGrid value of each Nav2 cost, as nav2_costmap_2d's Costmap2DPublisher sets it."""
    costs = np.arange(256)
    table = 1 + (97 * (costs - 1)) // 251
    table[FREE_SPACE] = OCCUPANCY_FREE
    table[INSCRIBED_INFLATED_OBSTACLE] = OCCUPANCY_INSCRIBED
    table[LETHAL_OBSTACLE] = OCCUPANCY_LETHAL
    table[NO_INFORMATION] = OCCUPANCY_UNKNOWN
    return table.astype(np.int8)


COST_TO_OCCUPANCY = _cost_translation_table()
GROUND_REMOVALS = ("height", "ransac")
RANSAC_PLANE_ATTEMPTS = 3
"""Planes fitted per update before giving up (each attempt removes the inliers of the rejected plane)."""
RANSAC_MAX_POINTS = 5000
"""The plane is fitted to at most this many points, evenly spread over the cloud; all points are then classified."""
RANSAC_MIN_INLIERS = 30
MAX_CELLS_PER_SIDE = 4000
LINE_SHIFT_BITS = 3
"""Ray ends are drawn with 1/8-cell precision."""


def logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


@dataclass(frozen=True)
class CostmapConfig:
    """Geometry, evidence model and inflation of a RollingCostmap (see the module docstring)."""

    resolution_m: float = 0.05
    size_m: float = 10.0
    """Side of the square window centred on the robot, in the base frame."""
    min_obstacle_height_m: float = 0.1
    max_obstacle_height_m: float = 1.8
    ground_removal: str = "height"
    """'height' (base z) or 'ransac' (height above a fitted floor plane)."""
    ransac_distance_m: float = 0.05
    """Largest distance of a floor point from the plane when fitting it."""
    ransac_iterations: int = 100
    ransac_max_tilt_deg: float = 15.0
    ransac_max_floor_offset_m: float = 0.3
    raytrace_clearing: bool = True
    raytrace_max_range_m: float = 5.0
    obstacle_max_range_m: float = 4.0
    hit_probability: float = 0.7
    miss_probability: float = 0.4
    occupied_probability: float = 0.6
    free_probability: float = 0.45
    min_probability: float = 0.4
    """Lower clamp: at miss_probability one miss saturates free space, so one hit marks an obstacle again."""
    max_probability: float = 0.9
    """Upper clamp: an obstacle seen for long needs (logit(0.9) - logit(0.6)) / -logit(0.4) = 5 misses to go."""
    evidence_half_life_s: float = 5.0
    """Evidence halves every this many seconds of stamp time; 0 = kept until contradicted."""
    inscribed_radius_m: float = 0.1
    """The robot's inscribed radius (Nav2 robot_radius for a round robot)."""
    inflation_radius_m: float = 0.55
    cost_scaling_factor: float = 10.0

    def __post_init__(self) -> None:
        problems = []
        if not self.resolution_m > 0.0 or not self.size_m >= self.resolution_m:
            problems.append(f"need 0 < resolution_m <= size_m, got {self.resolution_m} and {self.size_m}")
        elif self.cells > MAX_CELLS_PER_SIDE:
            problems.append(f"size_m / resolution_m = {self.cells} cells per side, more than {MAX_CELLS_PER_SIDE}")
        if not 0.0 <= self.min_obstacle_height_m < self.max_obstacle_height_m:
            problems.append(f"need 0 <= min_obstacle_height_m < max_obstacle_height_m, got "
                            f"{self.min_obstacle_height_m} and {self.max_obstacle_height_m}")
        if self.ground_removal not in GROUND_REMOVALS:
            problems.append(f"ground_removal must be one of {', '.join(GROUND_REMOVALS)}, got "
                            f"{self.ground_removal!r}")
        if not (self.ransac_distance_m > 0.0 and self.ransac_iterations >= 1
                and 0.0 < self.ransac_max_tilt_deg < 90.0 and self.ransac_max_floor_offset_m >= 0.0):
            problems.append("need ransac_distance_m > 0, ransac_iterations >= 1, 0 < ransac_max_tilt_deg < 90 and "
                            "ransac_max_floor_offset_m >= 0")
        if not (self.raytrace_max_range_m > 0.0 and self.obstacle_max_range_m > 0.0):
            problems.append("raytrace_max_range_m and obstacle_max_range_m must be positive")
        if not 0.0 < self.miss_probability < 0.5 < self.hit_probability < 1.0:
            problems.append(f"need 0 < miss_probability < 0.5 < hit_probability < 1, got "
                            f"{self.miss_probability} and {self.hit_probability}")
        if not (0.0 < self.min_probability <= self.free_probability < 0.5 < self.occupied_probability
                <= self.max_probability < 1.0):
            problems.append("need 0 < min_probability <= free_probability < 0.5 < occupied_probability <= "
                            f"max_probability < 1, got {self.min_probability}, {self.free_probability}, "
                            f"{self.occupied_probability}, {self.max_probability}")
        if not self.evidence_half_life_s >= 0.0:
            problems.append(f"evidence_half_life_s must be >= 0, got {self.evidence_half_life_s}")
        if not (0.0 <= self.inscribed_radius_m <= self.inflation_radius_m and self.cost_scaling_factor >= 0.0):
            problems.append(f"need 0 <= inscribed_radius_m <= inflation_radius_m and cost_scaling_factor >= 0, got "
                            f"{self.inscribed_radius_m}, {self.inflation_radius_m}, {self.cost_scaling_factor}")
        if problems:
            raise ValueError("invalid costmap configuration: " + "; ".join(problems))

    @property
    def cells(self) -> int:
        """Cells along each side of the base-frame window."""
        return int(round(self.size_m / self.resolution_m))


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


@dataclass(frozen=True)
class CostmapUpdate:
    """What one ``RollingCostmap.update`` did."""

    points_used: int
    points_dropped: int
    """Points with a NaN or infinite coordinate."""
    obstacle_points: int
    ground_points: int
    clearing_rays: int
    """Distinct rays traced (rays ending in the same cell are traced once)."""
    hit_cells: int
    missed_cells: int
    ground_plane: tuple[float, float, float, float] | None
    """(a, b, c, d) with a x + b y + c z + d = height above the floor, c > 0 ('ransac' only; None otherwise)."""


class RollingCostmap:
    """Obstacle evidence in a window that moves with the robot; see the module docstring for the model."""

    def __init__(self, config: CostmapConfig = CostmapConfig()) -> None:
        self.config = config
        window = config.cells
        margin = math.ceil(window * (math.sqrt(2.0) - 1.0) / 2.0) + 1
        self._stored_cells = window + 2 * margin
        self._evidence = np.zeros((self._stored_cells, self._stored_cells), dtype=np.float32)
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
        if world_from_base.shape != (4, 4) or not np.isfinite(world_from_base).all():
            raise ValueError(f"world_from_base must be a finite 4x4 transform, got shape {world_from_base.shape}")
        shift = np.round(world_from_base[:2, 3] / self.config.resolution_m).astype(np.int64)
        step_x, step_y = (int(value) for value in shift - self._window_shift)
        self._evidence = _shifted(self._evidence, step_y, step_x)
        self._window_shift = shift
        self._world_from_base = world_from_base

    def update(self, points_base: np.ndarray, sensor_origin_base: np.ndarray, stamp_s: float,
               invalid_ray_endpoints_base: np.ndarray | None = None) -> CostmapUpdate:
        """Integrate one observation taken from ``sensor_origin_base`` at time ``stamp_s`` (seconds).

        ``points_base``: float (N, 3) returns in the base frame; rows with a NaN or infinite coordinate are dropped.
        ``invalid_ray_endpoints_base``: float (M, 3) ends of rays that returned nothing within range (only clear).
        """
        points, dropped = _finite_points(points_base, "points_base")
        origin = np.asarray(sensor_origin_base, dtype=np.float64).reshape(-1)
        if origin.shape != (3,) or not np.isfinite(origin).all():
            raise ValueError(f"sensor_origin_base must be 3 finite values, got {sensor_origin_base!r}")
        if not math.isfinite(stamp_s):
            raise ValueError(f"stamp_s must be finite, got {stamp_s}")
        endpoints = np.zeros((0, 3), np.float32)
        if invalid_ray_endpoints_base is not None:
            endpoints, _ = _finite_points(invalid_ray_endpoints_base, "invalid_ray_endpoints_base")
        self._decay_to(stamp_s)
        config = self.config
        plane = _ground_plane(points, config) if config.ground_removal == "ransac" else None
        heights = _heights(points, plane)
        origin_height = float(_heights(origin[np.newaxis].astype(np.float32), plane)[0])
        offsets = points - origin.astype(np.float32)
        ranges = np.sqrt(np.einsum("ij,ij->i", offsets, offsets))
        in_band = (heights >= config.min_obstacle_height_m) & (heights <= config.max_obstacle_height_m)
        marking = in_band & (ranges <= config.obstacle_max_range_m)
        ground = (heights < config.min_obstacle_height_m) & (ranges <= config.raytrace_max_range_m)

        stored = self._stored_geometry()
        to_world = self._world_from_base[:2, :3].T.astype(np.float32)
        points_cell = self._cell_coordinates(points @ to_world, stored)
        point_cells = np.floor(points_cell).astype(np.int32)
        hits = self._cell_mask(point_cells[marking])
        misses = self._cell_mask(point_cells[ground])
        ray_count = 0
        if config.raytrace_clearing:
            first, last = _ray_span(origin_height, heights, ranges, config, floor_clip=False)
            ends, end_cells = points_cell, point_cells
            if len(endpoints):
                endpoint_offsets = endpoints - origin.astype(np.float32)
                endpoint_first, endpoint_last = _ray_span(
                    origin_height, _heights(endpoints, plane),
                    np.sqrt(np.einsum("ij,ij->i", endpoint_offsets, endpoint_offsets)), config, floor_clip=True)
                endpoints_cell = self._cell_coordinates(endpoints @ to_world, stored)
                first = np.concatenate([first, endpoint_first])
                last = np.concatenate([last, endpoint_last])
                ends = np.concatenate([ends, endpoints_cell])
                end_cells = np.concatenate([end_cells, np.floor(endpoints_cell).astype(np.int32)])
            kept = last > first
            origin_cell = self._cell_coordinates(origin[np.newaxis].astype(np.float32) @ to_world, stored)[0]
            traced, ray_count = _traced_cells(origin_cell, ends[kept], end_cells[kept], first[kept], last[kept],
                                              self._stored_cells,
                                              math.ceil(config.raytrace_max_range_m / config.resolution_m) + 2)
            misses |= traced
        misses &= ~hits & ~self._cell_mask(point_cells[in_band & ~marking])
        evidence = self._evidence.reshape(-1)
        evidence[misses.reshape(-1)] += self._miss
        evidence[hits.reshape(-1)] += self._hit
        np.clip(evidence, *self._clamp, out=evidence)
        return CostmapUpdate(points_used=len(points), points_dropped=dropped,
                             obstacle_points=int(np.count_nonzero(marking)),
                             ground_points=int(np.count_nonzero(heights < config.min_obstacle_height_m)),
                             clearing_rays=ray_count, hit_cells=int(np.count_nonzero(hits)),
                             missed_cells=int(np.count_nonzero(misses)),
                             ground_plane=None if plane is None else tuple(float(v) for v in plane))

    def costs(self) -> np.ndarray:
        """uint8 (cells, cells) Nav2 costs of the base-frame window, inflated."""
        evidence = self._window_evidence()
        costs = np.full(evidence.shape, NO_INFORMATION, dtype=np.uint8)
        costs[evidence <= self._free] = FREE_SPACE
        lethal = evidence >= self._occupied
        costs[lethal] = LETHAL_OBSTACLE
        if lethal.any():
            _inflate(costs, lethal, self.config)
        return costs

    def occupancy(self) -> np.ndarray:
        """int8 (cells, cells) OccupancyGrid values: -1 unknown, 0 free, 1..99 inflated, 100 lethal."""
        return COST_TO_OCCUPANCY[self.costs()]

    def obstacles(self) -> np.ndarray:
        """bool (cells, cells): obstacle cells of the base-frame window (before inflation)."""
        return self._window_evidence() >= self._occupied

    def _decay_to(self, stamp_s: float) -> None:
        half_life_s = self.config.evidence_half_life_s
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

    def _window_evidence(self) -> np.ndarray:
        """float32 (cells, cells) stored evidence at the base-frame window's cell centres."""
        stored = self._stored_geometry()
        rotation = self._world_from_base[:2, :2]
        corner = np.asarray(stored.origin_xy_m) - self._world_from_base[:2, 3]
        relative = rotation @ self._window_centres - corner[:, np.newaxis]
        cols, rows = np.floor(relative / stored.resolution_m).astype(np.int64)
        return self._evidence[rows, cols].reshape(self.geometry.cells, self.geometry.cells)


def clearing_ray_endpoints(depth: np.ndarray, intrinsics: Intrinsics, decimation: int, range_m: float
                           ) -> np.ndarray:
    """float32 (M, 3) points at Euclidean distance ``range_m`` from the camera, in its optical frame, along the
    rays of every ``decimation``-th pixel of ``depth`` (float32 (H, W) metres along z) that saw nothing within
    ``range_m``: NaN (no reading), +inf (no return, REP 117) or a point beyond ``range_m``.

    -inf (too close, REP 117), zero and negative depths clear nothing. A model that writes NaN for pixels nearer
    than its minimum depth makes such pixels clear too: keep obstacles out of that range or leave depth clearing off.
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
    along = np.float32(range_m) / lengths[clears]
    return np.stack([rays.x[clears] * along, rays.y[clears] * along, along], axis=1)


def _finite_points(points, name: str) -> tuple[np.ndarray, int]:
    """``points`` as float32 (N, 3) without the rows that hold a NaN or infinity, and the number of such rows."""
    with np.errstate(over="ignore"):
        points = np.asarray(points, dtype=np.float32)
    if points.ndim != 2 or points.shape[1] != 3:
        raise ValueError(f"{name} must have shape (N, 3), got {points.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(points @ np.ones(3, dtype=np.float32))
    if finite.all():
        return points, 0
    return points[finite], int(finite.size - finite.sum())


def _shifted(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``grid`` moved so that new[r, c] = old[r + rows, c + cols]; cells from outside the old grid are 0."""
    if rows == 0 and cols == 0:
        return grid
    shifted = np.zeros_like(grid)
    height, width = grid.shape
    if abs(rows) >= height or abs(cols) >= width:
        return shifted
    shifted[max(-rows, 0):height - max(rows, 0), max(-cols, 0):width - max(cols, 0)] = \
        grid[max(rows, 0):height - max(-rows, 0), max(cols, 0):width - max(-cols, 0)]
    return shifted


def _ground_plane(points: np.ndarray, config: CostmapConfig) -> np.ndarray | None:
    """float32 (a, b, c, d), unit normal with c > 0, of the floor plane fitted with Open3D; None when no fitted
    plane is level enough and near enough to the base origin."""
    import open3d

    candidates = points[::max(1, math.ceil(len(points) / RANSAC_MAX_POINTS))]
    min_normal_z = math.cos(math.radians(config.ransac_max_tilt_deg))
    for _ in range(RANSAC_PLANE_ATTEMPTS):
        if len(candidates) < RANSAC_MIN_INLIERS:
            return None
        cloud = open3d.geometry.PointCloud(open3d.utility.Vector3dVector(candidates.astype(np.float64)))
        plane, inliers = cloud.segment_plane(config.ransac_distance_m, 3, config.ransac_iterations)
        plane = np.asarray(plane, dtype=np.float64)
        plane /= np.linalg.norm(plane[:3])
        if plane[2] < 0.0:
            plane = -plane
        if (len(inliers) >= RANSAC_MIN_INLIERS and plane[2] >= min_normal_z
                and abs(plane[3]) <= config.ransac_max_floor_offset_m):
            return plane.astype(np.float32)
        candidates = np.delete(candidates, np.asarray(inliers, dtype=np.intp), axis=0)
    return None


def _heights(points: np.ndarray, plane: np.ndarray | None) -> np.ndarray:
    """float32 (N,) height of each point: base z, or the signed distance above ``plane``."""
    if plane is None:
        return points[:, 2]
    return points @ plane[:3] + plane[3]


def _ray_span(origin_height: float, heights: np.ndarray, ranges: np.ndarray, config: CostmapConfig,
              floor_clip: bool) -> tuple[np.ndarray, np.ndarray]:
    """Fractions (first, last) of each ray sensor -> point that clear: the part within raytrace_max_range_m whose
    height, which varies linearly along the ray, is at most max_obstacle_height_m (and, with ``floor_clip``, at
    least 0). Rays with last <= first clear nothing."""
    top = config.max_obstacle_height_m
    climb = heights - np.float32(origin_height)
    rising, falling = climb > 0.0, climb < 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        last = np.minimum(np.float32(1.0), np.float32(config.raytrace_max_range_m) / ranges)
        at_top = (top - origin_height) / climb
        at_floor = -origin_height / climb
    last = np.where(rising, np.minimum(last, at_top), last)
    first = np.where(falling, at_top, 0.0)
    if floor_clip:
        last = np.where(falling, np.minimum(last, at_floor), last)
        first = np.where(rising, np.maximum(first, at_floor), first)
    level_outside = origin_height > top or (floor_clip and origin_height < 0.0)
    if level_outside:
        last = np.where(climb == 0.0, -1.0, last)
    return np.maximum(first, 0.0), last


def _traced_cells(origin_cell: np.ndarray, ends: np.ndarray, end_cells: np.ndarray, first: np.ndarray,
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


def _inflate(costs: np.ndarray, lethal: np.ndarray, config: CostmapConfig) -> None:
    """Raise ``costs`` (uint8 Nav2 costs, in place) around the ``lethal`` cells as nav2_costmap_2d's InflationLayer
    does (see the module docstring)."""
    distance_cells = cv2.distanceTransform(np.logical_not(lethal).astype(np.uint8), cv2.DIST_L2,
                                           cv2.DIST_MASK_PRECISE)
    distance_m = distance_cells.astype(np.float64) * config.resolution_m
    inflated_cells = (distance_m > 0.0) & (distance_m <= config.inflation_radius_m + 1e-9)
    distances = distance_m[inflated_cells]
    beyond_inscribed = np.maximum(distances - config.inscribed_radius_m, 0.0)
    decayed = ((INSCRIBED_INFLATED_OBSTACLE - 1) * np.exp(-config.cost_scaling_factor * beyond_inscribed))
    inflated = np.zeros_like(costs)
    inflated[inflated_cells] = np.where(distances <= config.inscribed_radius_m, INSCRIBED_INFLATED_OBSTACLE,
                                        decayed.astype(np.uint8))
    unknown = costs == NO_INFORMATION
    np.maximum(costs, inflated, out=costs)
    costs[unknown & (inflated == INSCRIBED_INFLATED_OBSTACLE)] = INSCRIBED_INFLATED_OBSTACLE
