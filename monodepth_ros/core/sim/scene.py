"""Synthetic camera + LiDAR scene: a seeded room (or open ground) with boxes and pillars, ray cast with Open3D.

World frame: z up, floor at z = 0 (the ``odom`` frame of the node). base_link moves on the floor along a
closed elliptical path centred on the world origin, counter-clockwise, x axis along the direction of travel.
Extrinsics are pose7 lists [x, y, z, qx, qy, qz, qw] of the sensor frame in base_link; the camera pose is the
camera's OPTICAL frame (x right, y down, z forward), the LiDAR frame is body-aligned (x forward, z up).
"""
from __future__ import annotations

import math

import numpy as np
import open3d as o3d

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.transforms import make_transform, rpy_to_matrix, transform_from_pose7
from monodepth_ros.core.sim.config import PATTERNS, SimSceneConfig
from monodepth_ros.core.sim.layout import BoxObstacle, EllipticalPath, Obstacle, PillarObstacle, SurfaceLook

WALL_THICKNESS_M = 0.2
OUTDOOR_GROUND_SIZE_M = 200.0
"""Side of the square ground plane outdoors; rays beyond its edge see sky (NaN depth)."""
OUTDOOR_OBSTACLE_TOP_M = 3.0
"""Tallest obstacle outdoors; indoors the ceiling (wall_height_m) is the limit."""
PILLAR_SIDES = 32
"""Pillars are prisms with this many sides inscribed in their footprint circle (sides < 0.5 % of r inside it)."""
OBSTACLE_GAP_M = 0.3
"""Smallest free space between the bounding circles of two obstacles."""
VIEW_BAND_M = 1.5
"""Width (m) of the band beside the path, beyond ``path_clearance_m``, that obstacles are placed in."""
RAYS_PER_BATCH = 16384
"""Camera rays are cast and shaded in bands of image rows of about this many rays, which keeps the working
memory small (cache-resident, no fresh pages per frame)."""
PLACEMENT_ATTEMPTS = 500
SKY_TOP_RGB = np.array([110.0, 150.0, 215.0], dtype=np.float32)
SKY_HORIZON_RGB = np.array([200.0, 215.0, 235.0], dtype=np.float32)
LIGHT_DIRECTION = (np.array([0.3, 0.5, 0.8]) / np.linalg.norm([0.3, 0.5, 0.8])).astype(np.float32)
"""Unit vector towards the light, world frame."""
AMBIENT_LIGHT = 0.35
VISITOR_SIZE_M = (0.5, 1.7)
"""Footprint side and height of the visitor box (about a person)."""
FINE_GRAIN_M = 0.04
"""Cell size of the faint noise laid over every pattern, so that no surface is uniform."""


def _hash_unit(ix: np.ndarray, iy: np.ndarray, salt: np.ndarray | int) -> np.ndarray:
    """Pseudo-random float32 in [0, 1) per integer lattice cell (ix, iy) and salt."""
    h = ix.astype(np.uint32) * np.uint32(0x27D4EB2D)
    h ^= iy.astype(np.uint32) * np.uint32(0x165667B1)
    h ^= np.asarray(salt, dtype=np.uint32) * np.uint32(0x9E3779B1)
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    return (h & np.uint32(0xFFFF)).astype(np.float32) * np.float32(1.0 / 65536.0)


def _sky_colours(directions: np.ndarray) -> np.ndarray:
    """float32 (N, 3) sky gradient for world ray directions (N, 3), brightest at the horizon."""
    upward = np.clip(directions[:, 2] / np.linalg.norm(directions, axis=1), 0.0, 1.0)
    return SKY_HORIZON_RGB + (SKY_TOP_RGB - SKY_HORIZON_RGB) * np.sqrt(upward)[:, np.newaxis]


def _world_rays(world_from_sensor: np.ndarray, sensor_directions: np.ndarray) -> np.ndarray:
    """float32 (N, 6) Open3D rays [origin, direction] in the world from (N, 3) directions in the sensor frame."""
    rotation = world_from_sensor[:3, :3].astype(np.float32)
    rays = np.empty((sensor_directions.shape[0], 6), dtype=np.float32)
    for axis in range(3):
        rays[:, axis] = world_from_sensor[axis, 3]
        rays[:, 3 + axis] = (sensor_directions[:, 0] * rotation[axis, 0] + sensor_directions[:, 1] * rotation[axis, 1]
                             + sensor_directions[:, 2] * rotation[axis, 2])
    return rays


class SimScene:
    """Seeded procedural scene with a moving pinhole camera and a spinning LiDAR on one base."""

    def __init__(self, config: SimSceneConfig = SimSceneConfig()) -> None:
        self.config = config
        rng = np.random.default_rng(config.seed)
        self.path = EllipticalPath(config.path_semi_axes_m, config.path_speed_mps)
        self.base_from_camera = transform_from_pose7(list(config.camera_pose_in_base))
        self.base_from_lidar = transform_from_pose7(list(config.lidar_pose_in_base))
        self.intrinsics = self._intrinsics_from_fov(config)
        self._raycaster = o3d.t.geometry.RaycastingScene()
        self._meshes: list[o3d.t.geometry.TriangleMesh] = []
        self._looks: list[SurfaceLook] = []
        self.obstacles: list[Obstacle] = []
        """Walls, boxes and pillars; the floor and the ceiling are not obstacles."""
        pillars_by_geometry_id: dict[int, PillarObstacle] = {}
        self._add_room(rng)
        self._place_obstacles(rng, pillars_by_geometry_id)
        self.visitor: BoxObstacle | None = None
        """The box that stands ahead of the start pose until visitor_leaves_s; None without a visitor."""
        self._raycaster_with_visitor = None
        self._visitor_mesh: o3d.t.geometry.TriangleMesh | None = None
        self._visitor_present = False
        if config.visitor_distance_m > 0.0:
            self._add_visitor(rng)
        self.mover: BoxObstacle | None = None
        """The box walking across the path ahead of the start pose, where it is at the time of set_time; None
        without a mover."""
        self.mover_geometry_id = -1
        """Geometry id of the mover in render_camera_labelled's ids; -1 without a mover."""
        if config.mover_distance_m > 0.0:
            self.mover_geometry_id = len(self._looks)
            self._looks.append(self._random_look(rng))
        self._pillar_centres_xy = np.zeros((len(self._looks), 2), dtype=np.float32)
        self._is_pillar = np.zeros(len(self._looks), dtype=bool)
        for geometry_id, pillar in pillars_by_geometry_id.items():
            self._pillar_centres_xy[geometry_id] = pillar.centre_xy
            self._is_pillar[geometry_id] = True
        self._base_rgb = np.array([look.base_rgb for look in self._looks], dtype=np.float32)
        self._pattern_index = np.array([PATTERNS.index(look.pattern) for look in self._looks], dtype=np.int64)
        self._inverse_cell = np.array([1.0 / look.cell_m for look in self._looks], dtype=np.float32)
        self._column_offsets = ((np.arange(config.image_width) - self.intrinsics.cx) / self.intrinsics.fx
                                ).astype(np.float32)
        self._row_offsets = ((np.arange(config.image_height) - self.intrinsics.cy) / self.intrinsics.fy
                             ).astype(np.float32)
        self._lidar_rays = self._lidar_ray_directions(config)
        self._active_raycaster = self._raycaster
        self.set_time(0.0)

    def _add_visitor(self, rng: np.random.Generator) -> None:
        """A second ray-casting scene: every mesh of the first plus the visitor box (the last geometry id)."""
        x, y, yaw = self.path.pose_xy_yaw(0.0)
        centre = np.array([x, y]) + self.config.visitor_distance_m * np.array([math.cos(yaw), math.sin(yaw)])
        half = 0.5 * VISITOR_SIZE_M[0]
        self.visitor = BoxObstacle("visitor", (centre[0] - half, centre[1] - half),
                                   (centre[0] + half, centre[1] + half), VISITOR_SIZE_M[1])
        self._raycaster_with_visitor = o3d.t.geometry.RaycastingScene()
        for mesh in self._meshes:
            self._raycaster_with_visitor.add_triangles(mesh)
        box = o3d.t.geometry.TriangleMesh.create_box(VISITOR_SIZE_M[0], VISITOR_SIZE_M[0], VISITOR_SIZE_M[1])
        self._visitor_mesh = box.translate(np.array([centre[0] - half, centre[1] - half, 0.0]))
        self._raycaster_with_visitor.add_triangles(self._visitor_mesh)
        self._looks.append(self._random_look(rng))

    def set_time(self, t_s: float) -> None:
        """Show the scene as it is at path time ``t_s``: the visitor stands there until visitor_leaves_s, the
        mover walks back and forth across the path at mover_speed_mps over mover_span_m."""
        leaves_s = self.config.visitor_leaves_s
        self._visitor_present = self.visitor is not None and (leaves_s <= 0.0 or t_s < leaves_s)
        self._active_raycaster = self._raycaster_with_visitor if self._visitor_present else self._raycaster
        if self.mover_geometry_id >= 0:
            self._place_mover(t_s)

    def _place_mover(self, t_s: float) -> None:
        """A fresh ray-casting scene with every mesh, the visitor (or, while it is gone, its box far below the
        floor, so that geometry ids stay put) and the mover at its place at ``t_s`` (the last geometry id)."""
        config = self.config
        x, y, yaw = self.path.pose_xy_yaw(0.0)
        span = config.mover_span_m
        walked = (config.mover_speed_mps * t_s) % (2.0 * span)
        across = 0.5 * span - (walked if walked <= span else 2.0 * span - walked)
        centre = (np.array([x, y]) + config.mover_distance_m * np.array([math.cos(yaw), math.sin(yaw)])
                  + across * np.array([-math.sin(yaw), math.cos(yaw)]))
        half = 0.5 * VISITOR_SIZE_M[0]
        self.mover = BoxObstacle("mover", (centre[0] - half, centre[1] - half), (centre[0] + half, centre[1] + half),
                                 VISITOR_SIZE_M[1])
        raycaster = o3d.t.geometry.RaycastingScene()
        for mesh in self._meshes:
            raycaster.add_triangles(mesh)
        if self._visitor_mesh is not None:
            visitor = self._visitor_mesh if self._visitor_present else self._visitor_mesh.clone().translate(
                np.array([0.0, 0.0, -1000.0]))
            raycaster.add_triangles(visitor)
        box = o3d.t.geometry.TriangleMesh.create_box(VISITOR_SIZE_M[0], VISITOR_SIZE_M[0], VISITOR_SIZE_M[1])
        mover_id = raycaster.add_triangles(box.translate(np.array([centre[0] - half, centre[1] - half, 0.0])))
        if mover_id != self.mover_geometry_id:
            raise RuntimeError(f"Open3D returned geometry id {mover_id} for the mover, "
                               f"expected {self.mover_geometry_id}")
        self._active_raycaster = raycaster

    def current_obstacles(self) -> list[Obstacle]:
        """Obstacles present now: the static ones, the visitor while it stands there and the mover."""
        return (self.obstacles + ([self.visitor] if self._visitor_present else [])
                + ([self.mover] if self.mover is not None else []))

    @staticmethod
    def _intrinsics_from_fov(config: SimSceneConfig) -> Intrinsics:
        focal = 0.5 * config.image_width / math.tan(math.radians(0.5 * config.fov_deg))
        return Intrinsics(focal, focal, 0.5 * (config.image_width - 1), 0.5 * (config.image_height - 1),
                          config.image_width, config.image_height)

    @staticmethod
    def _lidar_ray_directions(config: SimSceneConfig) -> np.ndarray:
        """float32 (azimuths * beams, 3) unit directions in the LiDAR frame, all beams of one azimuth together."""
        elevations = np.radians(np.linspace(*config.lidar_vertical_fov_deg, config.lidar_beams))
        azimuth_count = max(1, int(round(360.0 / config.lidar_horizontal_resolution_deg)))
        azimuths = np.arange(azimuth_count) * (2.0 * np.pi / azimuth_count)
        azimuth, elevation = np.meshgrid(azimuths, elevations, indexing="ij")
        return np.stack([np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth),
                         np.sin(elevation)], axis=-1).reshape(-1, 3).astype(np.float32)

    def _camera_world_rays(self, world_from_camera: np.ndarray, rows: slice) -> np.ndarray:
        """float32 (rows * W, 6) Open3D rays of image ``rows``, row-major, with directions of optical-frame z = 1."""
        rotation = world_from_camera[:3, :3].astype(np.float32)
        row_offsets = self._row_offsets[rows]
        rays = np.empty((row_offsets.shape[0], self.intrinsics.width, 6), dtype=np.float32)
        for axis in range(3):
            rays[:, :, axis] = world_from_camera[axis, 3]
            column_part = self._column_offsets * rotation[axis, 0] + rotation[axis, 2]
            row_part = row_offsets * rotation[axis, 1]
            np.add(column_part[np.newaxis, :], row_part[:, np.newaxis], out=rays[:, :, 3 + axis])
        return rays.reshape(-1, 6)

    def _add_mesh(self, mesh: o3d.t.geometry.TriangleMesh, look: SurfaceLook) -> int:
        geometry_id = self._raycaster.add_triangles(mesh)
        self._meshes.append(mesh)
        if geometry_id != len(self._looks):
            raise RuntimeError(f"Open3D returned geometry id {geometry_id}, expected {len(self._looks)}")
        self._looks.append(look)
        return geometry_id

    def _add_box(self, min_xyz, max_xyz, look: SurfaceLook) -> int:
        size = np.subtract(max_xyz, min_xyz)
        mesh = o3d.t.geometry.TriangleMesh.create_box(*size).translate(np.asarray(min_xyz, dtype=np.float64))
        return self._add_mesh(mesh, look)

    @staticmethod
    def _random_look(rng: np.random.Generator, patterns: tuple[str, ...] = PATTERNS) -> SurfaceLook:
        hue = rng.uniform(0.0, 1.0)
        base = 0.5 + 0.5 * np.cos(2.0 * np.pi * (hue + np.array([0.0, 1.0 / 3.0, 2.0 / 3.0])))
        base_rgb = 60.0 + 190.0 * (0.25 + 0.75 * base)
        return SurfaceLook(tuple(float(v) for v in base_rgb), str(rng.choice(patterns)),
                           float(rng.uniform(0.08, 0.35)))

    def _add_room(self, rng: np.random.Generator) -> None:
        config = self.config
        if config.environment == "outdoor":
            half = 0.5 * OUTDOOR_GROUND_SIZE_M
            self._add_box((-half, -half, -0.1), (half, half, 0.0), SurfaceLook((95.0, 140.0, 70.0), "noise", 0.25))
            return
        half_x, half_y = 0.5 * config.area_size_m[0], 0.5 * config.area_size_m[1]
        outer_x, outer_y = half_x + WALL_THICKNESS_M, half_y + WALL_THICKNESS_M
        self._add_box((-outer_x, -outer_y, -0.1), (outer_x, outer_y, 0.0),
                      SurfaceLook((170.0, 140.0, 105.0), "checkers", 0.5))
        self._add_box((-outer_x, -outer_y, config.wall_height_m), (outer_x, outer_y, config.wall_height_m + 0.1),
                      SurfaceLook((225.0, 225.0, 215.0), "noise", 0.6))
        wall_footprints = [((-outer_x, half_y), (outer_x, outer_y)), ((-outer_x, -outer_y), (outer_x, -half_y)),
                           ((half_x, -half_y), (outer_x, half_y)), ((-outer_x, -half_y), (-half_x, half_y))]
        for min_xy, max_xy in wall_footprints:
            wall = BoxObstacle("wall", min_xy, max_xy, config.wall_height_m)
            look = self._random_look(rng, ("stripes", "noise"))
            self._add_box((*min_xy, 0.0), (*max_xy, config.wall_height_m), look)
            self.obstacles.append(wall)

    def _place_obstacles(self, rng: np.random.Generator, pillars_by_geometry_id: dict[int, PillarObstacle]) -> None:
        config = self.config
        top = config.wall_height_m if config.environment == "indoor" else OUTDOOR_OBSTACLE_TOP_M
        kinds = rng.permutation(["box"] * config.box_count + ["pillar"] * config.pillar_count)
        sector = 2.0 * np.pi / max(len(kinds), 1)
        for index, kind in enumerate(kinds):
            obstacle = self._random_obstacle(rng, str(kind), top, (index * sector, (index + 1) * sector),
                                             ahead=index % 2 == 0)
            if obstacle is None:
                raise ValueError(f"cannot place obstacle {index + 1} of {len(kinds)} ({kind}) clear of the path "
                                 "and of the others; lower box_count/pillar_count or path_clearance_m, or enlarge "
                                 "area_size_m")
            look = self._random_look(rng)
            if isinstance(obstacle, BoxObstacle):
                self._add_box((*obstacle.min_xy, 0.0), (*obstacle.max_xy, obstacle.height_m), look)
            else:
                mesh = o3d.t.geometry.TriangleMesh.create_cylinder(obstacle.radius_m, obstacle.height_m,
                                                                   PILLAR_SIDES, 1)
                mesh = mesh.translate([*obstacle.centre_xy, 0.5 * obstacle.height_m])
                pillars_by_geometry_id[self._add_mesh(mesh, look)] = obstacle
            self.obstacles.append(obstacle)

    def _random_obstacle(self, rng: np.random.Generator, kind: str, top_m: float,
                         preferred_angles: tuple[float, float], ahead: bool) -> Obstacle | None:
        """An obstacle near the path, clear of it and of the others, inside the area; None when none fits.

        ``ahead``: 1.5 to 3.5 m ahead of a path point along the direction of travel (outside the loop), where
        the camera looks; otherwise beside the path, on either side. The first half of the attempts start from
        the path section between ``preferred_angles`` (ellipse parameter, radians), which spreads the obstacles
        along the loop; the rest may start anywhere on it.
        """
        config = self.config
        semi_x, semi_y = config.path_semi_axes_m
        half_area = 0.5 * np.asarray(config.area_size_m)
        for attempt in range(PLACEMENT_ATTEMPTS):
            if kind == "box":
                half_size = 0.5 * rng.uniform(0.3, 1.1, size=2)
                height = rng.uniform(0.25, min(1.6, top_m))
                extent = float(np.linalg.norm(half_size))
            else:
                radius = rng.uniform(0.1, 0.3)
                height = rng.uniform(min(1.0, top_m), top_m)
                extent = radius
            angle = rng.uniform(*(preferred_angles if attempt < PLACEMENT_ATTEMPTS // 2 else (0.0, 2.0 * np.pi)))
            on_path = np.array([semi_x * np.cos(angle), semi_y * np.sin(angle)])
            outward = np.array([semi_y * np.cos(angle), semi_x * np.sin(angle)])
            outward /= np.linalg.norm(outward)
            forward = np.array([-outward[1], outward[0]])
            if ahead:
                centre = on_path + rng.uniform(1.5, 3.5) * forward + rng.uniform(0.0, VIEW_BAND_M) * outward
            else:
                offset = config.path_clearance_m + extent + rng.uniform(0.0, VIEW_BAND_M)
                centre = on_path + rng.choice([-1.0, 1.0]) * offset * outward
            if kind == "box":
                obstacle: Obstacle = BoxObstacle("box", tuple(float(v) for v in centre - half_size),
                                                 tuple(float(v) for v in centre + half_size), float(height))
            else:
                obstacle = PillarObstacle(tuple(float(v) for v in centre), float(radius), float(height))
            if self._fits(obstacle, centre, extent, half_area):
                return obstacle
        return None

    def _fits(self, obstacle: Obstacle, centre: np.ndarray, extent: float, half_area: np.ndarray) -> bool:
        if np.any(np.abs(centre) + extent > half_area):
            return False
        if self.path.distance_m(obstacle) < self.config.path_clearance_m:
            return False
        for other in self.obstacles:
            if other.kind == "wall":
                continue
            gap = np.hypot(*(centre - np.asarray(other.centre_xy))) - extent - other.bounding_radius_m
            if gap < OBSTACLE_GAP_M:
                return False
        return True

    def base_pose(self, t_s: float) -> np.ndarray:
        """4x4 world_from_base at time ``t_s`` (seconds) on the path; base_link x points along the motion."""
        x, y, yaw = self.path.pose_xy_yaw(t_s)
        return make_transform(rpy_to_matrix(0.0, 0.0, yaw), (x, y, 0.0))

    def base_velocity(self, t_s: float) -> tuple[float, float]:
        """(forward speed m/s, yaw rate rad/s) of base_link at ``t_s``; the base never moves sideways."""
        return self.config.path_speed_mps, self.path.yaw_rate(t_s)

    def render_camera(self, world_from_base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Camera view from base pose ``world_from_base`` (4x4).

        Returns rgb uint8 (H, W, 3) and depth float32 (H, W): z along the optical axis in metres, NaN where a
        ray hits nothing (sky).
        """
        return self._render_camera(world_from_base, None)

    def render_camera_labelled(self, world_from_base: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """render_camera's rgb and depth, and int32 (H, W) geometry ids of the surfaces seen (-1: sky); the
        mover's pixels are those equal to ``mover_geometry_id``."""
        height, width = self.intrinsics.height, self.intrinsics.width
        ids = np.empty((height, width), dtype=np.int32)
        rgb, depth = self._render_camera(world_from_base, ids)
        return rgb, depth, ids

    def _render_camera(self, world_from_base: np.ndarray, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        world_from_camera = world_from_base @ self.base_from_camera
        height, width = self.intrinsics.height, self.intrinsics.width
        rgb = np.empty((height, width, 3), dtype=np.uint8)
        depth = np.empty((height, width), dtype=np.float32)
        band_rows = max(1, RAYS_PER_BATCH // width)
        for first_row in range(0, height, band_rows):
            rows = slice(first_row, min(first_row + band_rows, height))
            rays = self._camera_world_rays(world_from_camera, rows)
            hits = self._active_raycaster.cast_rays(o3d.core.Tensor.from_numpy(rays))
            t_hit = hits["t_hit"].numpy()
            hit = np.isfinite(t_hit)
            depth[rows] = np.where(hit, t_hit, np.float32(np.nan)).reshape(-1, width)
            if ids is not None:
                ids[rows] = np.where(hit, hits["geometry_ids"].numpy().astype(np.int32), -1).reshape(-1, width)
            if hit.all():
                colours = self._shade(rays, t_hit, hits["primitive_normals"].numpy(), hits["geometry_ids"].numpy())
            else:
                colours = np.empty((t_hit.shape[0], 3), dtype=np.float32)
                colours[~hit] = _sky_colours(rays[~hit, 3:])
                colours[hit] = self._shade(rays[hit], t_hit[hit], hits["primitive_normals"].numpy()[hit],
                                           hits["geometry_ids"].numpy()[hit])
            rgb[rows] = np.clip(colours, 0.0, 255.0).astype(np.uint8).reshape(-1, width, 3)
        return rgb, depth

    def _shade(self, rays: np.ndarray, t_hit: np.ndarray, normals: np.ndarray,
               geometry_ids: np.ndarray) -> np.ndarray:
        """float32 (N, 3) colours of the surface hits of ``rays`` (N, 6): pattern on the base colour, Lambert-shaded.

        Every surface is the outside of a closed solid seen from outside, so the mesh normals face the camera.
        """
        geometry_ids = geometry_ids.astype(np.intp)
        x = rays[:, 0] + rays[:, 3] * t_hit
        y = rays[:, 1] + rays[:, 4] * t_hit
        z = rays[:, 2] + rays[:, 5] * t_hit
        normal_x, normal_y, normal_z = normals[:, 0], normals[:, 1], normals[:, 2]
        horizontal = np.abs(normal_z) > 0.5
        u = np.where(horizontal, x, y * normal_x - x * normal_y)
        v = np.where(horizontal, y, z)
        on_pillar = np.flatnonzero(self._is_pillar[geometry_ids] & ~horizontal)
        if on_pillar.size:
            centres = self._pillar_centres_xy[geometry_ids[on_pillar]]
            offset_x, offset_y = x[on_pillar] - centres[:, 0], y[on_pillar] - centres[:, 1]
            u[on_pillar] = np.arctan2(offset_y, offset_x) * np.hypot(offset_x, offset_y)
        inverse_cell = self._inverse_cell[geometry_ids]
        ix = np.floor(u * inverse_cell).astype(np.int32)
        iy = np.floor(v * inverse_cell).astype(np.int32)
        pattern_index = self._pattern_index[geometry_ids]
        pattern = np.where(pattern_index == 0, (ix + iy) & 1,
                           np.where(pattern_index == 1, ix & 1, 0)).astype(np.float32)
        is_noise = pattern_index == 2
        pattern[is_noise] = _hash_unit(ix[is_noise], iy[is_noise], geometry_ids[is_noise])
        grain = _hash_unit(np.floor(u * (1.0 / FINE_GRAIN_M)).astype(np.int32),
                           np.floor(v * (1.0 / FINE_GRAIN_M)).astype(np.int32), 0)
        lambert = np.maximum(normal_x * LIGHT_DIRECTION[0] + normal_y * LIGHT_DIRECTION[1]
                             + normal_z * LIGHT_DIRECTION[2], 0.0)
        brightness = (0.5 + 0.4 * pattern + 0.1 * grain) * (AMBIENT_LIGHT + (1.0 - AMBIENT_LIGHT) * lambert)
        colours = np.empty((geometry_ids.shape[0], 3), dtype=np.float32)
        for channel in range(3):
            colours[:, channel] = np.take(self._base_rgb[:, channel], geometry_ids) * brightness
        return colours

    def scan_lidar(self, world_from_base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One LiDAR revolution from base pose ``world_from_base`` (4x4): float32 (N, 3) points in the LiDAR frame.

        Each hit within ``lidar_max_range_m`` gets gaussian range noise along its ray; ``rng`` draws the noise
        and the dropouts. Misses and dropped returns are left out.
        """
        rays = _world_rays(world_from_base @ self.base_from_lidar, self._lidar_rays)
        ranges = self._active_raycaster.cast_rays(o3d.core.Tensor.from_numpy(rays))["t_hit"].numpy()
        config = self.config
        kept = ranges <= config.lidar_max_range_m
        kept &= rng.random(ranges.shape[0]) >= config.lidar_dropout
        kept_ranges = ranges[kept] + rng.normal(0.0, config.lidar_range_noise_m, int(kept.sum())).astype(np.float32)
        return (self._lidar_rays[kept] * kept_ranges[:, np.newaxis]).astype(np.float32, copy=False)

    def occupancy_grid(self, world_from_base: np.ndarray, resolution_m: float, size_m: float,
                       min_height_m: float, max_height_m: float) -> np.ndarray:
        """Ground-truth occupancy of a square window of side ``size_m`` centred on base_link, in the base frame.

        bool (N, N) with N = round(size_m / resolution_m), laid out like nav_msgs/OccupancyGrid data: row index
        along base y, column index along base x, cell [0, 0] at the lower-left corner (-h, -h) with
        h = N * resolution / 2; the centre of cell [row, col] is at x = -h + (col + 0.5) * resolution,
        y = -h + (row + 0.5) * resolution. A cell is occupied when an obstacle (wall, box, pillar) whose vertical
        extent [0, height] overlaps [min_height_m, max_height_m] (metres above the floor) comes within half a cell
        of the cell centre, i.e. touches the cell's inscribed circle: thin walls leave no gaps.
        """
        if resolution_m <= 0.0 or size_m < resolution_m:
            raise ValueError(f"need 0 < resolution_m <= size_m, got resolution {resolution_m} m, size {size_m} m")
        if min_height_m > max_height_m:
            raise ValueError(f"min_height_m {min_height_m} must not exceed max_height_m {max_height_m}")
        cells = int(round(size_m / resolution_m))
        coordinates = (np.arange(cells) + 0.5 - 0.5 * cells) * resolution_m
        x, y = np.meshgrid(coordinates, coordinates)
        world_xy = np.stack([x.ravel(), y.ravel()], axis=1) @ world_from_base[:2, :2].T + world_from_base[:2, 3]
        occupied = np.zeros(cells * cells, dtype=bool)
        for obstacle in self.current_obstacles():
            if obstacle.height_m > min_height_m and max_height_m > 0.0:
                occupied |= obstacle.distance_m(world_xy) <= 0.5 * resolution_m
        return occupied.reshape(cells, cells)
