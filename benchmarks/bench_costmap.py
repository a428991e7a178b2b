"""Timings of RollingCostmap, in this process, without DDS.

Input: a synthetic forward-looking camera cloud in base_link (camera 0.5 m up, 70 degree field of view): 60 % floor
points (with 1 cm noise) out to 8 m, 30 % on eight boxes, 10 % on a wall 6 m ahead, resampled to each point count.
Times, per cloud: ``update`` with ground removal by height, with RANSAC, and with height plus the clearing rays of
a 640x480 depth image's invalid pixels at decimation 8 (4800 rays); and ``occupancy()`` (inflation and translation
to OccupancyGrid values, what costmap_node runs before publishing). Default costmap: 5 cm cells over 10 m.
Prints a Markdown table of the median and p90 over ``--runs`` runs after ``--warmup`` runs, on ``--cpus`` cores.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Callable

import numpy as np
from bench_common import timing_table

from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.rolling_costmap import RollingCostmap

SENSOR_BASE = np.array([0.1, 0.0, 0.5])
HALF_FOV_RAD = np.radians(35.0)
CLEARING_RAYS = (640 // 8) * (480 // 8)
COLUMNS = ("update_height", "update_ransac", "update_height_with_clearing", "occupancy")


def camera_cloud(count: int, rng: np.random.Generator) -> np.ndarray:
    """float32 (count, 3) points in base_link of a floor, boxes and a wall in front of the camera."""
    floor_count, box_count = int(0.6 * count), int(0.3 * count)
    wall_count = count - floor_count - box_count
    distance = rng.uniform(0.6, 8.0, floor_count)
    bearing = rng.uniform(-HALF_FOV_RAD, HALF_FOV_RAD, floor_count)
    floor = np.stack([distance * np.cos(bearing), distance * np.sin(bearing), rng.normal(0.0, 0.01, floor_count)], 1)
    centres = np.stack([rng.uniform(1.5, 5.0, 8), rng.uniform(-1.5, 1.5, 8)], axis=1)
    which = rng.integers(0, 8, box_count)
    boxes = np.column_stack([centres[which] + rng.uniform(-0.2, 0.2, (box_count, 2)),
                             rng.uniform(0.0, 1.2, box_count)])
    wall = np.stack([np.full(wall_count, 6.0), rng.uniform(-4.0, 4.0, wall_count), rng.uniform(0.0, 2.5, wall_count)],
                    axis=1)
    return np.concatenate([floor, boxes, wall]).astype(np.float32)


def clearing_endpoints(count: int, rng: np.random.Generator, range_m: float) -> np.ndarray:
    """Ends at ``range_m`` of ``count`` rays spread over the camera's view (what invalid pixels give)."""
    bearing = rng.uniform(-HALF_FOV_RAD, HALF_FOV_RAD, count)
    elevation = rng.uniform(-0.4, 0.4, count)
    directions = np.stack([np.cos(elevation) * np.cos(bearing), np.cos(elevation) * np.sin(bearing),
                           np.sin(elevation)], axis=1)
    return (SENSOR_BASE + range_m * directions).astype(np.float32)


def milliseconds(run: Callable[[int], object], runs: int, warmup: int) -> np.ndarray:
    """Wall time of ``run(frame_index)``; frame indices advance so every update decays like a new frame."""
    for frame in range(warmup):
        run(frame)
    samples = []
    for frame in range(warmup, warmup + runs):
        started = time.perf_counter()
        run(frame)
        samples.append((time.perf_counter() - started) * 1e3)
    return np.array(samples)


def time_costmap(count: int, runs: int, warmup: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(count)
    points = camera_cloud(count, rng)
    by_height = RollingCostmap(CostmapConfig(ground_removal="height"))
    by_ransac = RollingCostmap(CostmapConfig(ground_removal="ransac"))
    with_clearing = RollingCostmap(CostmapConfig(ground_removal="height"))
    endpoints = clearing_endpoints(CLEARING_RAYS, rng, with_clearing.config.raytrace_max_range_m)
    period_s = 0.1
    return {
        "update_height": milliseconds(lambda frame: by_height.update(points, SENSOR_BASE, frame * period_s),
                                      runs, warmup),
        "update_ransac": milliseconds(lambda frame: by_ransac.update(points, SENSOR_BASE, frame * period_s),
                                      runs, warmup),
        "update_height_with_clearing": milliseconds(
            lambda frame: with_clearing.update(points, SENSOR_BASE, frame * period_s, endpoints), runs, warmup),
        "occupancy": milliseconds(lambda frame: by_height.occupancy(), runs, warmup),
    }



def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", nargs="+", type=int, default=[10_000, 50_000, 200_000],
                        help="cloud sizes (default: 10000 50000 200000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per column (default: 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per column first (default: 3)")
    parser.add_argument("--cpus", type=int, default=2,
                        help="run on the first N CPUs of this process's affinity (default: 2; 0 = all)")
    arguments = parser.parse_args()
    if min(arguments.points) < 1 or arguments.runs < 1 or arguments.warmup < 0 or arguments.cpus < 0:
        parser.error("need --points >= 1, --runs >= 1, --warmup >= 0 and --cpus >= 0")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    cpus = sorted(os.sched_getaffinity(0))
    if arguments.cpus:
        cpus = cpus[:arguments.cpus]
        os.sched_setaffinity(0, cpus)
    rows = [(count, time_costmap(count, arguments.runs, arguments.warmup)) for count in arguments.points]
    config = CostmapConfig()
    print("### Costmap update (CPU, this process)")
    print(f"ms, median (p90) of {arguments.runs} runs after {arguments.warmup} warm-up runs on {len(cpus)} CPU(s); "
          f"{config.cells}x{config.cells} cells of {config.resolution_m} m, raytrace {config.raytrace_max_range_m} m, "
          f"{CLEARING_RAYS} clearing rays in the third column\n")
    print(timing_table("points", COLUMNS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
