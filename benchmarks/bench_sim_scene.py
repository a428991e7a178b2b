"""Time of one simulated frame: camera render (RGB + depth) and one LiDAR revolution, in this process.

Poses are spread over the robot's loop. Prints a Markdown table of the median and p90 over ``--runs`` frames
after ``--warmup`` frames, per environment and LiDAR beam count.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from bench_common import parse_size, timing_table

from monodepth_ros.core.sim.config import ENVIRONMENTS, SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene

STAGES = ("render", "lidar", "total", "total_cpu")
"""Wall-clock milliseconds per stage, and the process CPU time of the whole frame (all threads), which other
processes competing for the cores do not inflate."""


def time_frames(scene: SimScene, runs: int, warmup: int) -> dict[str, np.ndarray]:
    """Milliseconds per stage for ``runs`` frames at poses spread over one lap, after ``warmup`` frames."""
    rng = np.random.default_rng(0)
    lap_s = scene.path.length_m / max(scene.config.path_speed_mps, 1e-9)
    samples = []
    for index in range(warmup + runs):
        world_from_base = scene.base_pose(lap_s * index / (warmup + runs))
        started, cpu_started = time.perf_counter(), time.process_time()
        scene.render_camera(world_from_base)
        rendered = time.perf_counter()
        scene.scan_lidar(world_from_base, rng)
        done, cpu_done = time.perf_counter(), time.process_time()
        samples.append({"render": (rendered - started) * 1e3, "lidar": (done - rendered) * 1e3,
                        "total": (done - started) * 1e3, "total_cpu": (cpu_done - cpu_started) * 1e3})
    samples = samples[warmup:]
    return {stage: np.array([sample[stage] for sample in samples]) for stage in STAGES}



def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="camera image WIDTHxHEIGHT "
                        "(default: 640x480)")
    parser.add_argument("--beams", type=int, nargs="+", default=[16, 32], help="LiDAR beam counts (default: 16 32)")
    parser.add_argument("--environments", nargs="+", choices=ENVIRONMENTS, default=list(ENVIRONMENTS),
                        help="scenes to time (default: indoor outdoor)")
    parser.add_argument("--runs", type=int, default=50, help="timed frames per row (default: 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed frames per row first (default: 5)")
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    width, height = arguments.size
    rows = []
    for environment in arguments.environments:
        for beams in arguments.beams:
            vertical_fov = (-15.0, 15.0) if beams <= 16 else (-25.0, 15.0)
            config = SimSceneConfig(environment=environment, image_width=width, image_height=height,
                                    lidar_beams=beams, lidar_vertical_fov_deg=vertical_fov)
            scene = SimScene(config)
            rays = scene.config.lidar_beams * round(360.0 / config.lidar_horizontal_resolution_deg)
            rows.append((f"{environment}, {width}x{height}, {beams} beams ({rays} rays)",
                         time_frames(scene, arguments.runs, arguments.warmup)))
    print(f"### Simulated frame: camera render + LiDAR scan ({len(SimScene().obstacles)} obstacles indoors)")
    print(f"ms, median (p90) of {arguments.runs} frames after {arguments.warmup} warm-up frames; "
          f"default scene, poses spread over one lap; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end; total_cpu = process CPU time of the frame, all threads\n")
    print(timing_table("scene", STAGES, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
