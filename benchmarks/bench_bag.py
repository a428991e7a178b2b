"""monodepth-bag on a bag recorded from the synthetic scene: frames/s of the whole offline pipeline (read, depth,
temporal stabiliser, LiDAR fusion, point cloud, costmap, write), in this process.

Records ``--frames`` frames of the default indoor scene (``monodepth-bag sim``: camera, 16-beam LiDAR, odometry,
/tf_static) once, then processes the bag ``--runs`` times into fresh output bags, with temporal consistency on and
off. Prints a Markdown table: frames/s (median over the runs; wall and process CPU time) and the median ms per
frame of each stage (the chain's own stages included: preprocess, inference, stabilise, fusion, ...).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench_common import parse_size

from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.tools.bag.process import process_bag
from monodepth_ros.tools.bag.sim_bag import write_sim_bag
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

STAGES = ("decode", "lidar", "inference", "stabilise", "fusion", "fused_stabilise", "chain", "points", "costmap")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="camera WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--frames", type=int, default=30, help="frames in the bag (default 30)")
    parser.add_argument("--runs", type=int, default=3, help="times the bag is processed per row (default 3)")
    parser.add_argument("--storage", choices=("mcap", "sqlite3"), default="mcap", help="bag storage (default mcap)")
    add_model_arguments(parser)
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    width, height = arguments.size
    spec = model_spec_from_arguments(arguments)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        bag = Path(folder) / "sim"
        write_sim_bag(bag, arguments.frames, SimSceneConfig(image_width=width, image_height=height),
                      storage=arguments.storage)
        size_mb = sum(path.stat().st_size for path in bag.iterdir()) / 1e6
        for temporal in (True, False):
            runs = [process_bag(bag, Path(folder) / f"out_{temporal}_{index}", spec, storage=arguments.storage,
                                temporal_consistency=temporal) for index in range(arguments.runs)]
            fps = statistics.median(run.frames_per_second for run in runs)
            cpu_fps = statistics.median(run.processed / run.cpu_seconds for run in runs)
            stages = {stage: statistics.median(ms for run in runs for ms in run.stage_timings_ms.get(stage, [0.0]))
                      for stage in STAGES}
            rows.append((f"temporal consistency {'on' if temporal else 'off'}", fps, cpu_fps, stages))
    print(f"### monodepth-bag on a sim bag ({arguments.frames} frames {width}x{height} + 16-beam LiDAR + odometry, "
          f"{arguments.storage}, {size_mb:.1f} MB)")
    print(f"median of {arguments.runs} runs; frames/s from wall time and from process CPU time (all threads); "
          f"stage cells: median ms per frame; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at "
          "the end\n")
    print("| run | frames/s | frames/s (CPU time) | " + " | ".join(STAGES) + " |")
    print("|---|---:|---:|" + "---:|" * len(STAGES))
    for label, fps, cpu_fps, stages in rows:
        print(f"| {label} | {fps:.2f} | {cpu_fps:.2f} | " + " | ".join(f"{stages[stage]:.1f}" for stage in STAGES)
              + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
