"""Timings of pointcloud_node's stages, in this process, without DDS.

Input: the Middlebury Motorcycle ground-truth depth (2.1-5 m, about 7 % without readings) resized to each size.
Stages: depth -> xyz at each decimation, colours gathered from the same-size RGB image, xyz (and xyzrgb) ->
sensor_msgs/PointCloud2, the three together as pointcloud_node runs them per frame (frame_xyzrgb), and the Open3D
voxel filter. Prints a Markdown table of the median and p90 over
``--runs`` runs after ``--warmup`` runs.
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import cv2
import numpy as np
from bench_common import SIZES, parse_size, percentile_cell
from std_msgs.msg import Header

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.pointcloud.filters import voxel_downsample
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints
from monodepth_ros.ros.conversions.pointcloud2 import xyz_to_pointcloud2

STAGES = ("depth_to_xyz", "colours", "to_msg_xyz", "to_msg_xyzrgb", "frame_xyzrgb", "voxel")
MIN_RANGE_M, MAX_RANGE_M = 0.1, 20.0
"""pointcloud_node's default range."""


def scene(width: int, height: int) -> tuple[np.ndarray, np.ndarray, Intrinsics]:
    """Depth (float32 metres, NaN without reading), RGB and intrinsics of the Motorcycle view at this size."""
    rgb, depth, k = load_middlebury_motorcycle()
    scale_x, scale_y = width / rgb.shape[1], height / rgb.shape[0]
    resized_depth = cv2.resize(depth, (width, height), interpolation=cv2.INTER_NEAREST)
    resized_rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    intrinsics = Intrinsics(fx=k[0, 0] * scale_x, fy=k[1, 1] * scale_y, cx=(k[0, 2] + 0.5) * scale_x - 0.5,
                            cy=(k[1, 2] + 0.5) * scale_y - 0.5, width=width, height=height)
    return resized_depth, resized_rgb, intrinsics


def milliseconds(run: Callable[[], object], runs: int, warmup: int) -> np.ndarray:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1e3)
    return np.array(samples)


def frame_xyzrgb(converter: DepthToPoints, depth: np.ndarray, rgb: np.ndarray, intrinsics: Intrinsics,
                 decimation: int, header: Header) -> None:
    points = converter.convert(depth, intrinsics, decimation, MIN_RANGE_M, MAX_RANGE_M)
    xyz_to_pointcloud2(points.xyz, header, points.colours_from(rgb))


def time_stages(width: int, height: int, decimation: int, voxel_m: float, runs: int, warmup: int
                ) -> tuple[dict[str, np.ndarray], int, int]:
    """Per-stage timings (ms), the cloud's point count and the count after the voxel filter."""
    depth, rgb, intrinsics = scene(width, height)
    converter = DepthToPoints()
    header = Header(frame_id="camera_optical_frame")
    points = converter.convert(depth, intrinsics, decimation, MIN_RANGE_M, MAX_RANGE_M)
    colours = points.colours_from(rgb)
    timings = {
        "depth_to_xyz": milliseconds(lambda: converter.convert(depth, intrinsics, decimation, MIN_RANGE_M,
                                                               MAX_RANGE_M), runs, warmup),
        "colours": milliseconds(lambda: points.colours_from(rgb), runs, warmup),
        "to_msg_xyz": milliseconds(lambda: xyz_to_pointcloud2(points.xyz, header), runs, warmup),
        "to_msg_xyzrgb": milliseconds(lambda: xyz_to_pointcloud2(points.xyz, header, colours), runs, warmup),
        "frame_xyzrgb": milliseconds(lambda: frame_xyzrgb(converter, depth, rgb, intrinsics, decimation, header),
                                     runs, warmup),
        "voxel": milliseconds(lambda: voxel_downsample(points.xyz, colours, voxel_m), runs, warmup),
    }
    voxel_count = len(voxel_downsample(points.xyz, colours, voxel_m)[0])
    return timings, len(points.xyz), voxel_count


def markdown_table(rows: list[tuple[str, dict[str, np.ndarray], int, int]]) -> str:
    lines = ["| depth input | points | " + " | ".join(STAGES) + " | points after voxel |",
             "|---|---:|" + "---:|" * len(STAGES) + "---:|"]
    for label, timings, count, voxel_count in rows:
        cells = " | ".join(percentile_cell(timings[stage]) for stage in STAGES)
        lines.append(f"| {label} | {count} | {cells} | {voxel_count} |")
    return "\n".join(lines)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=list(SIZES),
                        help="depth image sizes WIDTHxHEIGHT (default: 640x480 1280x720)")
    parser.add_argument("--decimations", nargs="+", type=int, default=[1, 2],
                        help="decimations to time (default: 1 2)")
    parser.add_argument("--voxel-m", type=float, default=0.02, help="voxel edge in metres (default: 0.02)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per stage (default: 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per stage first (default: 3)")
    arguments = parser.parse_args()
    if min(arguments.decimations) < 1:
        parser.error("decimations must be >= 1")
    if not arguments.voxel_m > 0.0:
        parser.error("--voxel-m must be positive")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    rows = []
    for width, height in arguments.sizes:
        for decimation in arguments.decimations:
            timings, count, voxel_count = time_stages(width, height, decimation, arguments.voxel_m,
                                                      arguments.runs, arguments.warmup)
            rows.append((f"{width}x{height} decimation {decimation}", timings, count, voxel_count))
    print("### Point cloud stages (CPU, this process)")
    print(f"ms, median (p90) of {arguments.runs} runs after {arguments.warmup} warm-up runs; Middlebury "
          f"Motorcycle depth, range [{MIN_RANGE_M}, {MAX_RANGE_M}] m, colours from a same-size RGB image, "
          f"voxel edge {arguments.voxel_m} m (Open3D)\n")
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
