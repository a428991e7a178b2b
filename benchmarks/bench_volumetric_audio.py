"""Sonification latency and volumetric export time per frame, on the Middlebury Motorcycle depth (2.1-5 m).

Rows: the sonifier's analysis of one depth image (sectors, nearest distances) and the synthesis of one audio
frame (1 / update_rate_hz of sound), as depth_sonification_node runs them; the depth mesh (triangulation without
faces across depth edges) alone and written as PLY with its colours, the point cloud written as PLY, as
VolumetricExporter runs them. Depth is resized to --size. Prints a Markdown table of the median and p90 over
--runs runs after --warmup runs (process CPU time beside the wall time: less sensitive to a shared machine).
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from bench_common import parse_size, wall_and_cpu_ms

from monodepth_ros.core.audio.sonification import SonificationConfig, Sonifier
from monodepth_ros.core.pointcloud.volumetric.export import VolumetricExporter
from monodepth_ros.core.pointcloud.volumetric.mesh import depth_mesh
from monodepth_ros.testing.effect_scenes import motorcycle_scene


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="depth size WIDTHxHEIGHT (default: "
                        "640x480)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    arguments = parser.parse_args()
    width, height = arguments.size
    rgb, depth, intrinsics = motorcycle_scene(width, height)
    sonifier = Sonifier(SonificationConfig())
    tones = sonifier.targets(depth, intrinsics)
    with tempfile.TemporaryDirectory() as folder:
        clouds = VolumetricExporter(Path(folder) / "clouds", clouds=True)
        meshes = VolumetricExporter(Path(folder) / "meshes", clouds=False, meshes=True)
        mesh = depth_mesh(depth, intrinsics)
        cases = (
            ("sonification: analyse one depth image (5 sectors)", lambda: sonifier.targets(depth, intrinsics)),
            ("sonification: synthesise one frame (0.1 s, 22050 Hz)", lambda: sonifier.synthesise(tones)),
            ("sonification: both (per frame)", lambda: sonifier.frame(depth, intrinsics)),
            ("mesh: triangulate", lambda: depth_mesh(depth, intrinsics)),
            ("mesh: triangulate + write PLY", lambda: meshes.add(rgb, depth, intrinsics, 0.0)),
            ("cloud: unproject + write PLY", lambda: clouds.add(rgb, depth, intrinsics, 0.0)),
        )
        print(f"Depth {width}x{height}; mesh {len(mesh.xyz)} vertices, {len(mesh.faces)} faces\n")
        print("| stage | median ms | p90 ms | median CPU ms |")
        print("|---|---|---|---|")
        for label, run in cases:
            wall, cpu = wall_and_cpu_ms(run, arguments.runs, arguments.warmup)
            print(f"| {label} | {np.median(wall):.2f} | {np.percentile(wall, 90):.2f} | {np.median(cpu):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
