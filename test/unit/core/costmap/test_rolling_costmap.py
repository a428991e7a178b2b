"""RollingCostmap: marking, ground removal, ray-traced clearing, decay, Nav2 inflation and the rolling window."""
from __future__ import annotations

import math

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.transforms import make_transform, rpy_to_matrix
from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.cost_values import (
    COST_TO_OCCUPANCY,
    INSCRIBED_INFLATED_OBSTACLE,
    LETHAL_OBSTACLE,
    NO_INFORMATION,
)
from monodepth_ros.core.costmap.raytrace import clearing_ray_endpoints
from monodepth_ros.core.costmap.rolling_costmap import RollingCostmap, StampError

SENSOR = np.array([0.1, 0.0, 0.5])
"""A camera 0.1 m ahead of and 0.5 m above base_link."""
NO_POINTS = np.zeros((0, 3), np.float32)


def box_points(x: tuple[float, float], y: tuple[float, float], z: tuple[float, float], step: float = 0.02
               ) -> np.ndarray:
    """float32 points filling the box on a grid that stays off its faces."""
    axes = [np.arange(low + step / 2, high, step) for low, high in (x, y, z)]
    grid = np.meshgrid(*axes, indexing="ij")
    return np.stack([axis.ravel() for axis in grid], axis=1).astype(np.float32)


def floor_points(x: tuple[float, float], y: tuple[float, float], step: float = 0.02) -> np.ndarray:
    """float32 points on the floor (z = 0) on a grid that stays off the rectangle's edges."""
    grid_x, grid_y = np.meshgrid(np.arange(x[0] + step / 2, x[1], step), np.arange(y[0] + step / 2, y[1], step))
    return np.stack([grid_x.ravel(), grid_y.ravel(), np.zeros(grid_x.size)], axis=1).astype(np.float32)


def cells_with_centres_in(costmap: RollingCostmap, x: tuple[float, float], y: tuple[float, float]) -> np.ndarray:
    centres_x, centres_y = costmap.geometry.cell_centres()
    return (centres_x > x[0]) & (centres_x < x[1]) & (centres_y > y[0]) & (centres_y < y[1])


def value_at(grid: np.ndarray, costmap: RollingCostmap, x_m: float, y_m: float):
    return grid[costmap.geometry.cell_of(x_m, y_m)]


def nav2_inflated_cost(distance_m: float, inscribed_radius_m: float, cost_scaling_factor: float) -> int:
    """nav2_costmap_2d InflationLayer::computeCost for a distance in metres."""
    if distance_m == 0.0:
        return LETHAL_OBSTACLE
    if distance_m <= inscribed_radius_m:
        return INSCRIBED_INFLATED_OBSTACLE
    return int((INSCRIBED_INFLATED_OBSTACLE - 1) * math.exp(-cost_scaling_factor * (distance_m - inscribed_radius_m)))


def test_grid_geometry_matches_the_occupancy_grid_convention():
    costmap = RollingCostmap(CostmapConfig(resolution_m=0.05, size_m=10.0))
    geometry = costmap.geometry
    assert geometry.cells == 200 and geometry.origin_xy_m == (-5.0, -5.0)
    assert geometry.cell_of(-4.99, -4.99) == (0, 0)
    assert geometry.cell_of(2.01, -0.49) == (90, 140)
    centres_x, centres_y = geometry.cell_centres()
    assert (centres_x[90, 140], centres_y[90, 140]) == pytest.approx((2.025, -0.475))
    assert costmap.occupancy().shape == (200, 200) and costmap.occupancy().dtype == np.int8


def test_never_observed_cells_are_unknown():
    costmap = RollingCostmap()
    assert (costmap.occupancy() == -1).all()
    assert not costmap.obstacles().any()
    costmap.update(box_points((2.0, 2.3), (-0.2, 0.2), (0.0, 1.0)), SENSOR, 0.0)
    occupancy = costmap.occupancy()
    assert (occupancy[:, :95] == -1).all(), "nothing behind the camera was observed"
    assert value_at(occupancy, costmap, 3.5, 0.0) == -1, "the box hides the space behind it"
    assert value_at(occupancy, costmap, 2.0, 3.0) == -1, "no ray went there"


def test_a_box_of_points_marks_lethal_cells_exactly_under_its_footprint():
    costmap = RollingCostmap()
    update = costmap.update(box_points((2.0, 2.3), (-0.2, 0.2), (0.0, 1.0)), SENSOR, 0.0)
    expected = cells_with_centres_in(costmap, (2.0, 2.3), (-0.2, 0.2))
    assert expected.sum() == 6 * 8
    np.testing.assert_array_equal(costmap.obstacles(), expected)
    np.testing.assert_array_equal(costmap.occupancy() == 100, expected)
    assert update.obstacle_points > 0 and update.hit_cells == 48


def test_points_below_or_above_the_height_band_do_not_mark():
    costmap = RollingCostmap(CostmapConfig(min_obstacle_height_m=0.1, max_obstacle_height_m=1.8))
    too_low = box_points((1.5, 1.6), (-1.0, -0.9), (0.0, 0.09))
    too_high = box_points((2.5, 2.6), (0.9, 1.0), (1.9, 2.2))
    update = costmap.update(np.concatenate([too_low, too_high]), SENSOR, 0.0)
    assert update.obstacle_points == 0
    assert not costmap.obstacles().any()
    assert value_at(costmap.occupancy(), costmap, 1.575, -0.925) == 0, "ground points mark their cells free"
    assert value_at(costmap.occupancy(), costmap, 2.575, 0.975) == -1, "rays clear only below the band's top"
    at_limits = np.array([[1.575, -0.925, 0.1], [2.575, 0.975, 1.8]], np.float32)
    costmap.update(at_limits, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 1.575, -0.925) == 100
    assert value_at(costmap.occupancy(), costmap, 2.575, 0.975) == 100


def tilted_floor_scene(tilt_deg: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A floor rising along base x by ``tilt_deg`` (through the base origin) with a 0.5 m box standing on it at
    x = 3; returns (points, rotation floor -> base)."""
    rotation = rpy_to_matrix(0.0, -math.radians(tilt_deg), 0.0)
    floor = floor_points((0.3, 4.5), (-2.0, 2.0), step=0.03)
    floor[:, 2] += rng.normal(0.0, 0.005, len(floor)).astype(np.float32)
    box = box_points((3.0, 3.3), (-0.3, 0.3), (0.0, 0.5))
    return (np.concatenate([floor, box]) @ rotation.T).astype(np.float32), rotation


def test_height_ground_removal_takes_a_tilted_floor_for_obstacles():
    points, _ = tilted_floor_scene(8.0, np.random.default_rng(0))
    costmap = RollingCostmap(CostmapConfig(ground_removal="height"))
    costmap.update(points, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.0, 1.5) == 100


def test_ransac_ground_removal_follows_a_tilted_floor_and_keeps_obstacles_on_it():
    points, rotation = tilted_floor_scene(8.0, np.random.default_rng(0))
    costmap = RollingCostmap(CostmapConfig(ground_removal="ransac"))
    update = costmap.update(points, SENSOR, 0.0)
    assert update.ground_plane is not None
    np.testing.assert_allclose(update.ground_plane[:3], rotation[:, 2], atol=0.01)
    obstacles = costmap.obstacles()
    box_x = 3.15 * math.cos(math.radians(8.0))
    assert value_at(obstacles, costmap, box_x, 0.0)
    floor_obstacles = obstacles & ~cells_with_centres_in(costmap, (2.85, 3.35), (-0.35, 0.35))
    assert not floor_obstacles.any()
    assert value_at(costmap.occupancy(), costmap, 2.0, 1.5) == 0


def test_ransac_falls_back_to_heights_when_no_plane_is_level():
    wall = box_points((2.0, 2.02), (-2.0, 2.0), (0.0, 1.5))
    costmap = RollingCostmap(CostmapConfig(ground_removal="ransac"))
    update = costmap.update(wall, SENSOR, 0.0)
    assert update.ground_plane is None
    assert value_at(costmap.occupancy(), costmap, 2.01, 0.0) == 100


def test_rays_clear_the_cells_between_the_sensor_and_an_obstacle():
    box = box_points((3.0, 3.2), (-0.1, 0.1), (0.0, 1.0))
    traced = RollingCostmap()
    traced.update(box, SENSOR, 0.0)
    occupancy = traced.occupancy()
    for x in (0.5, 1.0, 1.5, 2.0):
        assert value_at(occupancy, traced, x, 0.0) == 0, x
    assert value_at(occupancy, traced, 3.1, 0.0) == 100
    untraced = RollingCostmap(CostmapConfig(raytrace_clearing=False))
    untraced.update(np.concatenate([box, floor_points((2.0, 2.5), (0.5, 1.0))]), SENSOR, 0.0)
    assert value_at(untraced.occupancy(), untraced, 1.0, 0.0) == -1
    assert value_at(untraced.occupancy(), untraced, 2.225, 0.725) == 0, "ground points still mark free"


def test_a_sensor_above_the_band_clears_only_where_its_rays_are_below_the_top():
    high_sensor = np.array([0.1, 0.0, 2.2])
    costmap = RollingCostmap(CostmapConfig(max_obstacle_height_m=1.8))
    costmap.update(floor_points((2.9, 3.1), (-0.1, 0.1)), high_sensor, 0.0)
    enters_band_x = 0.1 + 2.9 * (2.2 - 1.8) / 2.2
    occupancy = costmap.occupancy()
    assert value_at(occupancy, costmap, enters_band_x - 0.2, 0.0) == -1
    assert value_at(occupancy, costmap, enters_band_x + 0.2, 0.0) == 0
    assert value_at(occupancy, costmap, 2.0, 0.0) == 0


def test_rays_stop_at_the_raytrace_range_and_far_points_do_not_mark():
    costmap = RollingCostmap(CostmapConfig(raytrace_max_range_m=3.0, obstacle_max_range_m=4.0))
    far_points = np.array([[4.6, -0.04, 0.5], [4.6, 0.04, 0.5]], np.float32)
    update = costmap.update(far_points, SENSOR, 0.0)
    assert update.obstacle_points == 0
    occupancy = costmap.occupancy()
    assert value_at(occupancy, costmap, 2.9, 0.0) == 0
    assert value_at(occupancy, costmap, 3.4, 0.0) == -1
    assert value_at(occupancy, costmap, 4.6, 0.0) == -1


def test_points_in_the_band_beyond_obstacle_range_neither_mark_nor_clear_their_cell():
    costmap = RollingCostmap(CostmapConfig(raytrace_max_range_m=5.0, obstacle_max_range_m=4.0))
    far_points = np.array([[4.62, -0.04, 0.5], [4.62, 0.04, 0.5]], np.float32)
    costmap.update(far_points, SENSOR, 0.0)
    occupancy = costmap.occupancy()
    assert value_at(occupancy, costmap, 4.5, 0.0) == 0
    assert value_at(occupancy, costmap, 4.62, 0.04) == -1
    assert value_at(occupancy, costmap, 4.62, -0.04) == -1


def observe_obstacle(costmap: RollingCostmap, frames: int, stamp_s: float = 0.0) -> None:
    for _ in range(frames):
        costmap.update(box_points((2.0, 2.1), (-0.05, 0.05), (0.0, 1.0)), SENSOR, stamp_s)


def test_an_obstacle_that_leaves_is_cleared_by_rays_through_its_cells():
    config = CostmapConfig(evidence_half_life_s=0.0)
    costmap = RollingCostmap(config)
    observe_obstacle(costmap, 10)
    floor_behind = np.concatenate([floor_points((2.5, 3.0), (-0.05, 0.05)),
                                   box_points((3.0, 3.02), (-0.05, 0.05), (0.0, 1.8))])
    """Rays to the floor and the wall behind cross the box's cells at every height it had (0.16 to 1.37 m)."""
    misses_to_drop = math.ceil((math.log(config.max_probability / (1 - config.max_probability))
                                - math.log(config.occupied_probability / (1 - config.occupied_probability)))
                               / -math.log(config.miss_probability / (1 - config.miss_probability)))
    for _ in range(misses_to_drop - 1):
        costmap.update(floor_behind, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100, "one frame without it is not enough"
    costmap.update(floor_behind, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) != 100
    costmap.update(floor_behind, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 0


def test_invalid_ray_endpoints_clear_without_marking():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    observe_obstacle(costmap, 10)
    fan = np.array([[SENSOR[0] + 5.0, y, z] for y in np.linspace(-0.5, 0.5, 21) for z in np.arange(-0.7, 2.05, 0.1)],
                   np.float32)
    """Rays cross the box's cells at heights from 0.03 to 1.08 m (the box stands 1 m tall)."""
    for _ in range(6):
        update = costmap.update(NO_POINTS, SENSOR, 0.0, invalid_ray_endpoints_base=fan)
    assert update.obstacle_points == 0 and update.clearing_rays > 0
    occupancy = costmap.occupancy()
    assert value_at(occupancy, costmap, 2.05, 0.0) == 0
    assert value_at(occupancy, costmap, 4.5, 0.0) == 0
    assert not costmap.obstacles().any()


def test_invalid_rays_that_point_into_the_floor_stop_there():
    costmap = RollingCostmap()
    downward = np.array([[SENSOR[0] + 4.0, 0.4, SENSOR[2] - 1.0]], np.float32)
    costmap.update(NO_POINTS, SENSOR, 0.0, invalid_ray_endpoints_base=downward)
    floor_hit_x = SENSOR[0] + 4.0 * SENSOR[2] / 1.0
    centres_x, _ = costmap.geometry.cell_centres()
    free_x = centres_x[costmap.occupancy() == 0]
    assert free_x.min() < SENSOR[0] + 0.05
    assert free_x.max() == pytest.approx(floor_hit_x, abs=costmap.geometry.resolution_m)
    assert len(free_x) >= (floor_hit_x - SENSOR[0]) / costmap.geometry.resolution_m


def test_clearing_ray_endpoints_come_from_pixels_without_depth_or_beyond_range():
    intrinsics = Intrinsics(fx=2.0, fy=2.0, cx=1.5, cy=1.5, width=4, height=4)
    depth = np.full((4, 4), 1.0, np.float32)
    depth[0, 0] = np.nan
    depth[0, 3] = np.inf
    depth[3, 3] = 9.0
    depth[3, 0] = -np.inf
    depth[2, 2] = 0.0
    endpoints = clearing_ray_endpoints(depth, intrinsics, 1, 5.0)
    np.testing.assert_allclose(np.linalg.norm(endpoints, axis=1), 5.0, rtol=1e-6)
    directions = [np.array([(u - 1.5) / 2.0, (v - 1.5) / 2.0, 1.0]) for v, u in ((0, 0), (0, 3), (3, 3))]
    expected = np.array([5.0 * d / np.linalg.norm(d) for d in directions])
    np.testing.assert_allclose(endpoints, expected, rtol=1e-6)
    assert len(clearing_ray_endpoints(depth, intrinsics, 2, 5.0)) == 1, "decimation 2 keeps pixels (0, 0) .. (2, 2)"


def test_unseen_evidence_decays_to_unknown_with_the_half_life():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=1.0))
    observe_obstacle(costmap, 1, stamp_s=10.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100
    assert value_at(costmap.occupancy(), costmap, 1.0, 0.0) == 0
    costmap.update(NO_POINTS, SENSOR, 10.9)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100
    assert value_at(costmap.occupancy(), costmap, 1.0, 0.0) == 0
    costmap.update(NO_POINTS, SENSOR, 11.2)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == -1
    assert value_at(costmap.occupancy(), costmap, 1.0, 0.0) == -1
    assert (costmap.occupancy() == -1).all()


def test_without_a_half_life_evidence_is_kept_until_contradicted():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    observe_obstacle(costmap, 1, stamp_s=0.0)
    costmap.update(NO_POINTS, SENSOR, 1e5)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100


def rays_over_a_low_box() -> np.ndarray:
    """Points on a wall 3 m ahead, 0.6 to 1.8 m high: their rays cross x = 2.0 .. 2.1 at 0.54 m and above."""
    return box_points((3.0, 3.02), (-0.05, 0.05), (0.6, 1.8))


@pytest.mark.parametrize("clearing_band_m, cleared", [(0.3, False), (1.8, True)])
def test_a_low_obstacle_is_not_cleared_by_rays_passing_over_it(clearing_band_m, cleared):
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0, clearing_band_m=clearing_band_m))
    low_box = box_points((2.0, 2.1), (-0.05, 0.05), (0.0, 0.25))
    for _ in range(10):
        costmap.update(low_box, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100
    for _ in range(10):
        costmap.update(rays_over_a_low_box(), SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 1.2, 0.0) == 0, "the rays do clear where they pass"
    assert (value_at(costmap.occupancy(), costmap, 2.05, 0.0) != 100) == cleared, \
        "bands of 0.3 m keep the box; one band of 1.8 m (2-D clearing) loses it"


def test_rays_through_a_low_obstacles_height_clear_it():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    for _ in range(10):
        costmap.update(box_points((2.0, 2.1), (-0.05, 0.05), (0.0, 0.25)), SENSOR, 0.0)
    floor_behind = floor_points((2.3, 2.6), (-0.05, 0.05))
    """Rays to it cross x = 2.05 at 0.02 to 0.07 m."""
    for _ in range(10):
        costmap.update(floor_behind, SENSOR, 0.0)
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 0


def test_points_below_min_confidence_neither_mark_nor_clear():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0, min_confidence=0.3))
    box = box_points((2.0, 2.1), (-0.05, 0.05), (0.0, 1.0))
    update = costmap.update(box, SENSOR, 0.0, confidence=np.full(len(box), 0.2))
    assert update.unreliable_points == len(box) and update.clearing_rays == 0
    assert (costmap.occupancy() == -1).all()
    for _ in range(10):
        costmap.update(box, SENSOR, 0.0)
    floor_behind = floor_points((2.3, 2.6), (-0.05, 0.05))
    for _ in range(10):
        costmap.update(floor_behind, SENSOR, 0.0, confidence=np.full(len(floor_behind), 0.29))
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100
    assert value_at(costmap.occupancy(), costmap, 2.45, 0.0) == -1


def test_hits_weigh_their_confidence_and_range():
    config = CostmapConfig(evidence_half_life_s=0.0)
    one_hit_share = math.log(config.occupied_probability / (1 - config.occupied_probability)) / math.log(
        config.hit_probability / (1 - config.hit_probability))
    """A hit weighing more than this marks an obstacle at once (0.48 with the defaults)."""
    box = box_points((2.0, 2.1), (-0.05, 0.05), (0.0, 1.0))
    for weight, marks in ((one_hit_share + 0.02, True), (one_hit_share - 0.02, False)):
        costmap = RollingCostmap(config)
        costmap.update(box, SENSOR, 0.0, confidence=np.full(len(box), weight))
        assert (value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100) == marks
    for range_weight_m, marks in ((2.1, True), (0.8, False)):
        costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0, range_weight_m=range_weight_m))
        costmap.update(box, SENSOR, 0.0)
        assert (value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100) == marks, \
            "the box, 1.9 to 2.1 m away, weighs 1 within range_weight_m, about 0.4 at 0.8 m"


def test_confidence_must_match_the_points():
    with pytest.raises(ValueError, match="confidence must have shape"):
        RollingCostmap().update(box_points((2.0, 2.1), (0.0, 0.1), (0.0, 0.5)), SENSOR, 0.0, confidence=[1.0])


def test_nan_regions_bordered_by_near_readings_do_not_clear():
    intrinsics = Intrinsics(fx=20.0, fy=20.0, cx=15.5, cy=11.5, width=32, height=24)
    depth = np.full((24, 32), 3.0, np.float32)
    depth[14:, 10:20] = 0.15
    depth[17:, 12:18] = np.nan
    """An obstacle right in front of the camera: its middle is nearer than the model's minimum depth (NaN)."""
    depth[:4, :] = np.nan
    """Above the walls: no reading, bordered by far readings."""
    endpoints = clearing_ray_endpoints(depth, intrinsics, 1, 5.0, near_guard_m=0.3)
    assert len(endpoints) == 4 * 32
    assert len(clearing_ray_endpoints(depth, intrinsics, 1, 5.0)) == 4 * 32 + 7 * 6


def test_pixels_below_min_confidence_do_not_clear():
    intrinsics = Intrinsics(fx=2.0, fy=2.0, cx=1.5, cy=1.5, width=4, height=4)
    depth = np.full((4, 4), np.nan, np.float32)
    confidence = np.ones((4, 4), np.float32)
    confidence[:2] = 0.1
    assert len(clearing_ray_endpoints(depth, intrinsics, 1, 5.0, confidence, 0.3)) == 8
    with pytest.raises(ValueError, match="confidence has shape"):
        clearing_ray_endpoints(depth, intrinsics, 1, 5.0, confidence[:2], 0.3)


@pytest.mark.parametrize("inscribed_radius_m, inflation_radius_m, cost_scaling_factor",
                         [(0.1, 0.55, 10.0), (0.22, 1.0, 3.0)])
def test_inflation_follows_nav2_cost_function(inscribed_radius_m, inflation_radius_m, cost_scaling_factor):
    config = CostmapConfig(inscribed_radius_m=inscribed_radius_m, inflation_radius_m=inflation_radius_m,
                           cost_scaling_factor=cost_scaling_factor)
    costmap = RollingCostmap(config)
    costmap.update(floor_points((0.5, 4.0), (-1.5, 1.5)), SENSOR, 0.0)
    obstacle_row, obstacle_col = costmap.geometry.cell_of(2.51, 0.01)
    costmap.update(np.array([[2.51, 0.01, 0.5]], np.float32), SENSOR, 0.0)
    costs = costmap.costs()
    occupancy = costmap.occupancy()
    checked = 0
    for d_row, d_col in [(0, 0), (0, 1), (1, 1), (0, 2), (2, 1), (0, 3), (3, 4), (0, 6), (5, 5), (0, 10), (8, 8),
                         (0, 11), (0, 12), (12, 15), (0, 21)]:
        distance_m = math.hypot(d_row, d_col) * config.resolution_m
        expected = nav2_inflated_cost(distance_m, inscribed_radius_m, cost_scaling_factor)
        if distance_m > inflation_radius_m:
            expected = 0
        cell = (obstacle_row + d_row, obstacle_col - d_col)
        assert costs[cell] == expected, (d_row, d_col, distance_m)
        assert occupancy[cell] == COST_TO_OCCUPANCY[expected]
        checked += expected not in (0, LETHAL_OBSTACLE, INSCRIBED_INFLATED_OBSTACLE)
    assert checked >= 3


def test_unknown_cells_are_inflated_only_within_the_inscribed_radius():
    costmap = RollingCostmap(CostmapConfig(inscribed_radius_m=0.1, inflation_radius_m=0.55))
    costmap.update(np.array([[2.51, 0.01, 0.5]], np.float32), SENSOR, 0.0)
    row, col = costmap.geometry.cell_of(2.51, 0.01)
    costs = costmap.costs()
    assert costs[row + 2, col] == INSCRIBED_INFLATED_OBSTACLE, "beside the ray, never observed, 0.1 m away"
    assert costs[row + 3, col] == NO_INFORMATION


def test_occupancy_values_are_nav2s_cost_translation():
    costs = np.arange(256)
    expected = np.where(costs == 0, 0, 1 + (97 * (costs - 1)) // 251)
    expected[253], expected[254], expected[255] = 99, 100, -1
    np.testing.assert_array_equal(COST_TO_OCCUPANCY, expected)
    assert COST_TO_OCCUPANCY[1] == 1 and COST_TO_OCCUPANCY[252] == 98


def lethal_centres(costmap: RollingCostmap) -> np.ndarray:
    centres_x, centres_y = costmap.geometry.cell_centres()
    obstacles = costmap.obstacles()
    return np.stack([centres_x[obstacles], centres_y[obstacles]], axis=1)


def test_move_to_keeps_evidence_where_it_is_in_the_world():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    costmap.update(np.array([[2.025, 0.025, 0.5]], np.float32), SENSOR, 0.0)
    np.testing.assert_allclose(lethal_centres(costmap), [[2.025, 0.025]], atol=1e-9)
    costmap.move_to(make_transform(np.eye(3), [1.0, 0.0, 0.0]))
    np.testing.assert_allclose(lethal_centres(costmap), [[1.025, 0.025]], atol=1e-9)
    costmap.move_to(make_transform(np.eye(3), [1.0, 0.5, 0.0]))
    np.testing.assert_allclose(lethal_centres(costmap), [[1.025, -0.475]], atol=1e-9)
    costmap.move_to(make_transform(np.eye(3), [0.0, 0.0, 0.0]))
    np.testing.assert_allclose(lethal_centres(costmap), [[2.025, 0.025]], atol=1e-9)


def test_move_to_turns_the_window_with_the_robot():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    costmap.update(np.array([[2.025, 0.025, 0.5]], np.float32), SENSOR, 0.0)
    costmap.move_to(make_transform(rpy_to_matrix(0.0, 0.0, math.pi / 2), [0.3, 0.0, 0.0]))
    centres = lethal_centres(costmap)
    assert len(centres) == 1
    np.testing.assert_allclose(centres[0], [0.025, -1.725], atol=0.5 * costmap.geometry.resolution_m * math.sqrt(2))
    costmap.update(np.array([[1.01, 0.01, 0.5]], np.float32), SENSOR, 0.0)
    costmap.move_to(np.eye(4))
    np.testing.assert_allclose(sorted(map(tuple, lethal_centres(costmap))), [(0.275, 1.025), (2.025, 0.025)],
                               atol=1e-9)


def test_move_beyond_the_window_forgets_everything():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=0.0))
    observe_obstacle(costmap, 1)
    costmap.move_to(make_transform(np.eye(3), [50.0, 0.0, 0.0]))
    assert (costmap.occupancy() == -1).all()


def test_non_finite_points_are_dropped_and_bad_arguments_rejected():
    costmap = RollingCostmap()
    points = box_points((2.0, 2.1), (-0.05, 0.05), (0.2, 0.4))
    points[::2] = np.nan
    points[1::4, 1] = np.inf
    update = costmap.update(points, SENSOR, 0.0)
    assert update.points_dropped == len(points) - update.points_used > 0
    assert value_at(costmap.occupancy(), costmap, 2.05, 0.0) == 100
    with pytest.raises(ValueError, match=r"points_base must have shape \(N, 3\)"):
        costmap.update(np.zeros((5, 2)), SENSOR, 0.0)
    with pytest.raises(ValueError, match="sensor_origin_base"):
        costmap.update(points, [0.0, np.nan, 0.5], 0.0)
    with pytest.raises(ValueError, match="world_from_base"):
        costmap.move_to(np.eye(3))


@pytest.mark.parametrize("changes, message", [
    ({"min_obstacle_height_m": 2.0}, "min_obstacle_height_m < max_obstacle_height_m"),
    ({"ground_removal": "plane"}, "ground_removal must be one of height, ransac"),
    ({"hit_probability": 0.4}, "miss_probability < 0.5 < hit_probability"),
    ({"inscribed_radius_m": 1.0}, "inscribed_radius_m <= inflation_radius_m"),
    ({"free_probability": 0.3}, "min_probability <= free_probability"),
])
def test_inconsistent_configurations_are_rejected_with_the_reason(changes, message):
    with pytest.raises(ValueError, match=message):
        CostmapConfig(**changes)


def test_a_point_at_the_sensor_marks_nothing():
    """(0, 0, 0) in the sensor frame is many drivers' "no return": no lethal cell at the robot."""
    costmap = RollingCostmap(CostmapConfig())
    update = costmap.update(np.array([SENSOR], np.float32), SENSOR, 1.0)
    assert update.points_too_near == 1 and update.points_used == 0
    assert not costmap.obstacles().any()
    assert not (costmap.costs() == LETHAL_OBSTACLE).any()


def test_points_beyond_the_minimum_range_still_mark():
    costmap = RollingCostmap(CostmapConfig(obstacle_min_range_m=0.1))
    costmap.update(box_points((1.0, 1.1), (-0.05, 0.05), (0.2, 0.4)), SENSOR, 1.0)
    assert value_at(costmap.obstacles(), costmap, 1.05, 0.0)


def test_a_cloud_stamped_far_ahead_of_the_clock_is_refused_and_decay_goes_on():
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=1.0))
    obstacle = box_points((1.0, 1.1), (-0.05, 0.05), (0.2, 0.4))
    costmap.update(obstacle, SENSOR, 100.0, now_s=100.0)
    assert value_at(costmap.obstacles(), costmap, 1.05, 0.0)
    with pytest.raises(StampError, match="ahead of the clock"):
        costmap.update(NO_POINTS, SENSOR, 1e9, now_s=100.5)
    costmap.update(NO_POINTS, SENSOR, 110.0, now_s=110.0)
    assert not value_at(costmap.obstacles(), costmap, 1.05, 0.0), "10 half-lives later the obstacle has faded"


def test_decay_restarts_when_the_clock_goes_back():
    """Sim time restarted (or a bag looped): stamps far ahead of the clock must not stop forgetting."""
    costmap = RollingCostmap(CostmapConfig(evidence_half_life_s=1.0))
    obstacle = box_points((1.0, 1.1), (-0.05, 0.05), (0.2, 0.4))
    costmap.update(obstacle, SENSOR, 500.0, now_s=500.0)
    costmap.update(obstacle, SENSOR, 10.0, now_s=10.0)
    costmap.update(NO_POINTS, SENSOR, 20.0, now_s=20.0)
    assert not value_at(costmap.obstacles(), costmap, 1.05, 0.0)


@pytest.mark.parametrize("translation, message", [((np.nan, 0.0, 0.0), "NaN or infinite"),
                                                  ((1e300, 0.0, 0.0), "farther than")])
def test_an_invalid_pose_is_refused_with_a_clear_message(translation, message):
    costmap = RollingCostmap(CostmapConfig())
    with pytest.raises(ValueError, match=message):
        costmap.move_to(make_transform(np.eye(3), translation))
