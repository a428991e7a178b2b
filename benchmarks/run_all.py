"""Run every benchmark, one after the other, and print their tables.

Arguments after the script name (e.g. ``--device cuda --fp16``) are the model options of
monodepth_ros/tools/model_arguments.py; they go to the benchmarks that run a depth model.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCHMARK_FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Benchmark:
    title: str
    script: str
    arguments: tuple[str, ...] = ()
    runs_model: bool = True
    """Takes the model options (the others measure model-free stages)."""


BENCHMARKS = (
    Benchmark("Depth path, per stage", "bench_depth_stages.py"),
    Benchmark("depth_node end to end over DDS", "bench_depth_node_rate.py", ("--sizes", "640x480", "1280x720")),
    Benchmark("depth_node serving 1, 2, 4 and 8 cameras", "bench_multicam.py"),
    Benchmark("Synthetic scene: render and LiDAR scan", "bench_sim_scene.py", runs_model=False),
    Benchmark("LiDAR scale fusion", "bench_fusion.py"),
    Benchmark("Temporal stabiliser", "bench_temporal.py"),
    Benchmark("Ground-plane scale and costmap without LiDAR", "bench_ground_plane.py"),
    Benchmark("Depth to point cloud", "bench_pointcloud.py", runs_model=False),
    Benchmark("Costmap update", "bench_costmap.py", runs_model=False),
    Benchmark("Depth effects", "bench_effects.py", runs_model=False),
    Benchmark("Depth-aware compression", "bench_compression.py", runs_model=False),
    Benchmark("Sonification and volumetric export", "bench_volumetric_audio.py", runs_model=False),
    Benchmark("monodepth-bag on a sim bag", "bench_bag.py", ("--runs", "1")),
    Benchmark("monodepth-batch with 1 and 2 Ray workers", "bench_batch.py", runs_model=False),
)


def run(benchmark: Benchmark, shared_arguments: list[str]) -> tuple[int, float]:
    """Run one benchmark script with this interpreter; returns its exit code and wall time (s)."""
    print(f"\n## {benchmark.title} ({benchmark.script})\n", flush=True)
    started = time.monotonic()
    model_arguments = shared_arguments if benchmark.runs_model else []
    completed = subprocess.run([sys.executable, str(BENCHMARK_FOLDER / benchmark.script), *benchmark.arguments,
                                *model_arguments], check=False)
    return completed.returncode, time.monotonic() - started


def main() -> int:
    shared_arguments = sys.argv[1:]
    load_1min = os.getloadavg()[0]
    print(f"# Benchmarks: {platform.machine()}, {os.cpu_count()} CPUs, load average {load_1min:.2f} at start")
    failures = []
    for benchmark in BENCHMARKS:
        exit_code, seconds = run(benchmark, shared_arguments)
        print(f"\n({benchmark.script}: exit code {exit_code}, {seconds:.0f} s)", flush=True)
        if exit_code != 0:
            failures.append(benchmark.script)
    if failures:
        print(f"\nfailed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
