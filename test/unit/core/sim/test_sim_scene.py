"""Synthetic scene: determinism, geometry of the depth and LiDAR renders, path and ground-truth occupancy."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from monodepth_ros.core.camera.transforms import OPTICAL_FROM_BODY, apply, invert, make_transform, rpy_to_matrix
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.layout import BoxObstacle, PillarObstacle
from monodepth_ros.core.sim.scene import SimScene

ROOM_HALF_X, ROOM_HALF_Y, CEILING_Z = 6.0, 4.5, 2.5
"""The default indoor room: area_size_m (12, 9), wall_height_m 2.5."""
EXACT_LIDAR = {"lidar_range_noise_m": 0.0, "lidar_dropout": 0.0}


def pose(x: float = 0.0, y: float = 0.0, yaw_deg: float = 0.0) -> np.ndarray:
    return make_transform(rpy_to_matrix(0.0, 0.0, math.radians(yaw_deg)), (x, y, 0.0))


def empty_scene(**changes) -> SimScene:
    return SimScene(SimSceneConfig(box_count=0, pillar_count=0, **changes))


def lidar_elevations_deg(points: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(points[:, 2], np.hypot(points[:, 0], points[:, 1])))


def test_equal_seeds_give_identical_scenes_and_other_seeds_other_obstacles():
    first, second = SimScene(SimSceneConfig(seed=3)), SimScene(SimSceneConfig(seed=3))
    assert first.obstacles == second.obstacles
    world_from_base = first.base_pose(7.0)
    rgb_first, depth_first = first.render_camera(world_from_base)
    rgb_second, depth_second = second.render_camera(world_from_base)
    np.testing.assert_array_equal(rgb_first, rgb_second)
    np.testing.assert_array_equal(depth_first, depth_second)
    np.testing.assert_array_equal(first.scan_lidar(world_from_base, np.random.default_rng(1)),
                                  second.scan_lidar(world_from_base, np.random.default_rng(1)))
    assert SimScene(SimSceneConfig(seed=4)).obstacles != first.obstacles


def test_intrinsics_follow_image_size_and_horizontal_fov():
    intrinsics = SimScene(SimSceneConfig(image_width=320, image_height=200, fov_deg=90.0)).intrinsics
    assert intrinsics.fx == pytest.approx(160.0) and intrinsics.fy == pytest.approx(160.0)
    assert (intrinsics.cx, intrinsics.cy) == (159.5, 99.5)
    assert (intrinsics.width, intrinsics.height) == (320, 200)


def test_default_extrinsics_put_a_forward_looking_camera_below_the_lidar():
    scene = SimScene()
    np.testing.assert_allclose(scene.base_from_camera[:3, :3], OPTICAL_FROM_BODY[:3, :3].T, atol=1e-12)
    np.testing.assert_allclose(scene.base_from_camera[:3, 3], [0.1, 0.0, 0.5])
    np.testing.assert_allclose(scene.base_from_lidar, make_transform(np.eye(3), (0.0, 0.0, 0.75)))


def test_floor_depth_below_the_horizon_matches_the_camera_height_and_the_sky_is_nan():
    scene = empty_scene(environment="outdoor")
    _, depth = scene.render_camera(pose())
    intrinsics = scene.intrinsics
    rows = np.arange(intrinsics.height)
    below = rows > intrinsics.cy
    expected = 0.5 * intrinsics.fy / (rows[below] - intrinsics.cy)
    near = expected < 50.0
    floor_depth = depth[below][near]
    np.testing.assert_allclose(floor_depth, np.broadcast_to(expected[near, np.newaxis], floor_depth.shape),
                               rtol=1e-4)
    assert np.isnan(depth[~below]).all()


@pytest.mark.parametrize(("yaw_deg", "wall_distance_m"), [(0.0, ROOM_HALF_X), (90.0, ROOM_HALF_Y)])
def test_wall_facing_the_camera_has_the_depth_of_its_distance(yaw_deg, wall_distance_m):
    scene = empty_scene()
    _, depth = scene.render_camera(pose(yaw_deg=yaw_deg))
    centre_row = int(scene.intrinsics.cy)
    camera_ahead_of_base_m = 0.1
    np.testing.assert_allclose(depth[centre_row - 30:centre_row + 30], wall_distance_m - camera_ahead_of_base_m,
                               rtol=1e-5)


def test_surfaces_are_textured():
    scene = empty_scene()
    rgb, _ = scene.render_camera(pose())
    luminance = rgb.astype(np.float64).mean(axis=2)
    centre_row = int(scene.intrinsics.cy)
    assert luminance[centre_row - 30:centre_row + 30].std() > 5.0, "front wall"
    assert luminance[-60:].std() > 5.0, "floor"


def test_lidar_rays_cover_the_configured_beams_and_azimuths():
    scene = empty_scene(lidar_beams=32, lidar_vertical_fov_deg=(-25.0, 15.0), lidar_horizontal_resolution_deg=1.0,
                        **EXACT_LIDAR)
    points = scene.scan_lidar(pose(), np.random.default_rng(0))
    assert points.dtype == np.float32 and points.shape == (32 * 360, 3), "a closed room returns every ray"
    elevations = np.unique(np.round(lidar_elevations_deg(points), 3))
    np.testing.assert_allclose(elevations, np.linspace(-25.0, 15.0, 32), atol=1e-3)
    azimuths = np.unique(np.round(np.degrees(np.arctan2(points[:, 1], points[:, 0])) % 360.0, 3) % 360.0)
    assert len(azimuths) == 360


def test_lidar_points_lie_on_the_room_surfaces():
    world_from_base = pose(1.0, -0.5, 30.0)
    scene = empty_scene(**EXACT_LIDAR)
    points = apply(world_from_base @ scene.base_from_lidar, scene.scan_lidar(world_from_base, np.random.default_rng(0)))
    gap_to_surface = np.min(np.abs(np.stack([points[:, 2], points[:, 2] - CEILING_Z,
                                             np.abs(points[:, 0]) - ROOM_HALF_X,
                                             np.abs(points[:, 1]) - ROOM_HALF_Y])), axis=0)
    assert gap_to_surface.max() < 1e-3
    floor_points = scene.scan_lidar(pose(), np.random.default_rng(0))
    floor_points = floor_points[lidar_elevations_deg(floor_points) < -10.0]
    np.testing.assert_allclose(floor_points[:, 2], -0.75, atol=1e-4)


def test_lidar_points_seen_by_the_camera_match_its_depth():
    scene = SimScene(SimSceneConfig(**EXACT_LIDAR))
    world_from_base = scene.base_pose(5.0)
    _, depth = scene.render_camera(world_from_base)
    camera_from_lidar = invert(scene.base_from_camera) @ scene.base_from_lidar
    points = apply(camera_from_lidar, scene.scan_lidar(world_from_base, np.random.default_rng(0)))
    points = points[points[:, 2] > 0.1]
    intrinsics = scene.intrinsics
    columns = np.round(intrinsics.fx * points[:, 0] / points[:, 2] + intrinsics.cx).astype(int)
    rows = np.round(intrinsics.fy * points[:, 1] / points[:, 2] + intrinsics.cy).astype(int)
    inside = (columns >= 0) & (columns < intrinsics.width) & (rows >= 0) & (rows < intrinsics.height)
    assert inside.sum() > 1000
    lidar_z, camera_z = points[inside, 2], depth[rows[inside], columns[inside]]
    assert np.mean(np.abs(lidar_z - camera_z) <= 0.02 * lidar_z) > 0.95
    assert np.mean(lidar_z < camera_z - 0.05) < 0.01, "a LiDAR point in space the camera sees as free"


def test_lidar_dropout_removes_the_configured_fraction():
    rays = 16 * 1800
    scene = empty_scene(lidar_dropout=0.3)
    points = scene.scan_lidar(pose(), np.random.default_rng(0))
    assert len(points) / rays == pytest.approx(0.7, abs=0.01)


def test_lidar_range_noise_has_the_configured_standard_deviation():
    exact, noisy = empty_scene(**EXACT_LIDAR), empty_scene(lidar_range_noise_m=0.05, lidar_dropout=0.0)
    exact_points = exact.scan_lidar(pose(), np.random.default_rng(0))
    noisy_points = noisy.scan_lidar(pose(), np.random.default_rng(0))
    errors = np.linalg.norm(noisy_points, axis=1) - np.linalg.norm(exact_points, axis=1)
    assert errors.std() == pytest.approx(0.05, rel=0.05)
    assert abs(errors.mean()) < 0.002
    directions_agree = np.einsum("ij,ij->i", noisy_points, exact_points) / np.linalg.norm(noisy_points, axis=1) \
        / np.linalg.norm(exact_points, axis=1)
    assert directions_agree.min() > 1.0 - 1e-6, "noise is along the ray"


def test_lidar_drops_returns_beyond_the_maximum_range():
    scene = empty_scene(lidar_max_range_m=4.0, **EXACT_LIDAR)
    points = scene.scan_lidar(pose(), np.random.default_rng(0))
    ranges = np.linalg.norm(points, axis=1)
    assert ranges.max() <= 4.0
    assert len(points) < 16 * 1800, "walls farther than 4 m give no returns"


def test_path_is_a_closed_loop_driven_forward_at_the_configured_speed():
    scene = SimScene(SimSceneConfig(path_speed_mps=0.8))
    lap_s = scene.path.length_m / 0.8
    np.testing.assert_allclose(scene.base_pose(3.0), scene.base_pose(3.0 + lap_s), atol=1e-6)
    dt = 1e-3
    for t_s in np.linspace(0.0, lap_s, 17):
        before, now, after = scene.base_pose(t_s - dt), scene.base_pose(t_s), scene.base_pose(t_s + dt)
        velocity = (after[:3, 3] - before[:3, 3]) / (2 * dt)
        assert np.linalg.norm(velocity) == pytest.approx(0.8, rel=1e-3)
        np.testing.assert_allclose(velocity / np.linalg.norm(velocity), now[:3, 0], atol=2e-3)
        yaw_change = math.atan2(after[1, 0], after[0, 0]) - math.atan2(before[1, 0], before[0, 0])
        forward_mps, yaw_rate = scene.base_velocity(t_s)
        assert forward_mps == 0.8
        assert yaw_rate == pytest.approx(math.remainder(yaw_change, 2 * math.pi) / (2 * dt), rel=1e-2)
        assert now[2, 3] == 0.0 and now[2, 2] == 1.0, "the base stays upright on the floor"


@pytest.mark.parametrize("environment", ["indoor", "outdoor"])
def test_obstacles_stay_clear_of_the_path_and_the_camera_sees_them_all_along_it(environment):
    config = SimSceneConfig(environment=environment, image_width=160, image_height=120)
    scene, without_obstacles = SimScene(config), SimScene(replace(config, box_count=0, pillar_count=0))
    placed = [obstacle for obstacle in scene.obstacles if obstacle.kind != "wall"]
    assert len(placed) == config.box_count + config.pillar_count
    assert {obstacle.kind for obstacle in scene.obstacles} == (
        {"wall", "box", "pillar"} if environment == "indoor" else {"box", "pillar"})
    lap_s = scene.path.length_m / config.path_speed_mps
    path_xy = np.array([scene.base_pose(t_s)[:2, 3] for t_s in np.linspace(0.0, lap_s, 720)])
    for obstacle in placed:
        assert obstacle.distance_m(path_xy).min() >= config.path_clearance_m - 0.01, obstacle
    for t_s in np.linspace(0.0, lap_s, 24, endpoint=False):
        _, depth = scene.render_camera(scene.base_pose(t_s))
        _, background = without_obstacles.render_camera(scene.base_pose(t_s))
        changed = np.abs(np.nan_to_num(depth, nan=1e3) - np.nan_to_num(background, nan=1e3)) > 0.05
        assert changed.mean() > 0.01, f"no obstacle in view at t = {t_s:.1f} s"


def grid_cell(base_xy: np.ndarray, resolution_m: float, size_m: float) -> tuple[int, int]:
    """(row, col) of a base-frame point in the documented layout: row along y, col along x, origin lower-left."""
    col, row = np.floor((np.asarray(base_xy) + 0.5 * size_m) / resolution_m).astype(int)
    return int(row), int(col)


def footprint_centre(obstacle) -> np.ndarray:
    return np.array(obstacle.centre_xy, dtype=np.float64)


@pytest.mark.parametrize("world_from_base", [pose(), pose(0.5, -0.3, 90.0), pose(-1.0, 1.0, -135.0)],
                         ids=["origin", "turned_left", "turned_back"])
def test_occupancy_grid_marks_obstacle_footprints_in_base_frame_cells(world_from_base):
    scene = SimScene()
    resolution_m, size_m = 0.1, 8.0
    grid = scene.occupancy_grid(world_from_base, resolution_m, size_m, 0.05, 2.0)
    assert grid.shape == (80, 80) and grid.dtype == bool
    base_from_world = invert(world_from_base)
    checked = 0
    for obstacle in scene.obstacles:
        if obstacle.kind == "wall":
            continue
        centre = apply(base_from_world, [[*footprint_centre(obstacle), 0.0]])[0, :2]
        if np.all(np.abs(centre) < 0.5 * size_m - resolution_m):
            assert grid[grid_cell(centre, resolution_m, size_m)], obstacle
            checked += 1
    assert checked >= 3
    coordinates = -0.5 * size_m + (np.arange(80) + 0.5) * resolution_m
    near_robot = np.hypot(*np.meshgrid(coordinates, coordinates)) < 0.5
    base_on_path = scene.base_pose(11.0)
    assert not scene.occupancy_grid(base_on_path, resolution_m, size_m, 0.05, 2.0)[near_robot].any()


def test_occupancy_grid_counts_only_obstacles_reaching_into_the_height_band():
    scene = SimScene()
    lowest = min((o for o in scene.obstacles if o.kind == "box"), key=lambda obstacle: obstacle.height_m)
    world_from_base = make_transform(np.eye(3), (*footprint_centre(lowest), 0.0))
    centre_cell = grid_cell(np.zeros(2), 0.1, 4.0)
    assert scene.occupancy_grid(world_from_base, 0.1, 4.0, 0.0, 2.0)[centre_cell]
    assert not scene.occupancy_grid(world_from_base, 0.1, 4.0, lowest.height_m + 0.01, 2.0)[centre_cell]
    assert not scene.occupancy_grid(world_from_base, 0.1, 4.0, -1.0, -0.01)[centre_cell]


def test_occupancy_grid_includes_walls():
    scene = empty_scene()
    grid = scene.occupancy_grid(pose(ROOM_HALF_X - 1.0), 0.1, 4.0, 0.1, 1.0)
    wall_column = grid_cell([1.1, 0.0], 0.1, 4.0)[1]
    assert grid[:, wall_column].all()
    assert not grid[:, :wall_column - 2].any(), "inside the empty room"
    assert not grid[:, wall_column + 3:].any(), "behind the 0.2 m thick wall"


def test_obstacle_footprints_give_distances():
    box = BoxObstacle("box", (0.0, 0.0), (1.0, 2.0), 1.0)
    pillar = PillarObstacle((0.0, 0.0), 0.5, 1.0)
    points = np.array([[0.3, 0.2], [2.0, 1.0], [4.0, 6.0]])
    np.testing.assert_allclose(box.distance_m(points), [0.0, 1.0, math.hypot(3.0, 4.0)])
    np.testing.assert_allclose(pillar.distance_m(points), [0.0, math.hypot(2.0, 1.0) - 0.5, math.hypot(4.0, 6.0) - 0.5])


@pytest.mark.parametrize(("changes", "message"), [
    ({"environment": "moon"}, "environment"),
    ({"lidar_dropout": 1.0}, "lidar_dropout"),
    ({"lidar_vertical_fov_deg": (10.0, -10.0)}, "lidar_vertical_fov_deg"),
    ({"camera_pose_in_base": (0.0, 0.0, 0.5)}, "camera_pose_in_base"),
    ({"path_semi_axes_m": (6.0, 2.0)}, "does not fit"),
])
def test_invalid_configurations_are_rejected_with_the_reason(changes, message):
    with pytest.raises(ValueError, match=message):
        SimSceneConfig(**changes)


def test_too_many_obstacles_for_the_area_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="cannot place"):
        SimScene(SimSceneConfig(area_size_m=(8.0, 5.6), path_semi_axes_m=(3.0, 2.0), box_count=60))


def test_the_visitor_stands_ahead_until_it_leaves():
    config = SimSceneConfig(visitor_distance_m=1.5, visitor_leaves_s=3.0, path_speed_mps=0.0)
    scene = SimScene(config)
    start = scene.base_pose(0.0)
    centre_row, centre_col = config.image_height // 2, config.image_width // 2
    scene.set_time(1.0)
    _, depth_with_visitor = scene.render_camera(start)
    grid_with_visitor = scene.occupancy_grid(start, 0.1, 6.0, 0.1, 1.8)
    scene.set_time(3.0)
    _, depth_without = scene.render_camera(start)
    grid_without = scene.occupancy_grid(start, 0.1, 6.0, 0.1, 1.8)
    camera_x = config.camera_pose_in_base[0]
    front_face_m = 1.5 - 0.5 * 0.5 - camera_x
    assert depth_with_visitor[centre_row, centre_col] == pytest.approx(front_face_m, abs=0.01)
    assert depth_without[centre_row, centre_col] > front_face_m + 0.5
    visitor_cell = (30, 30 + 15)
    assert grid_with_visitor[visitor_cell] and not grid_without[visitor_cell]
