"""LiDAR scale fusion: per-frame timings of lidar_fusion_node's work and accuracy, in this process, without DDS.

Timings: the synthetic scene (monodepth_ros.core.sim, default indoor room) at each size and LiDAR beam
count (16 beams over +-15 deg, more over -25..15 deg, as in bench_sim_scene), ``--frames`` frames at poses spread
over the first ``--seconds`` s of the robot's path, each predicted once beforehand by the model. Stages: project
(LiDAR points in the camera frame -> sparse depth, project_points), fuse (ScaleFusion.fuse) and both (total), one
ScaleFusion cycling through the frames in order. Prints a Markdown table of the median and p90 over ``--runs``
runs after ``--warmup`` runs, with the valid LiDAR points per frame and the median abs_rel of the raw and the
fused depth over the frames.

Accuracy: abs_rel on the Middlebury Motorcycle of the raw prediction, of the best global scale (median ground
truth / prediction) and of the depth fused with beams simulated from the ground truth (sparse_from_beams), as
the evaluate CLI computes them.
"""
from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass

import numpy as np
from bench_common import SIZES, device_label, parse_size, percentile_cell

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.projection import project_points
from monodepth_ros.core.camera.transforms import apply, invert
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.fusion.scale_fusion import ScaleFusion
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.tools.evaluate import global_scale_depth, metric_depth
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

STAGES = ("project", "fuse", "total")
MIN_DEPTH_M, MAX_DEPTH_M = 0.1, 80.0
"""lidar_fusion_node's default range."""


@dataclass
class SimFrame:
    points_camera: np.ndarray
    """float32 (N, 3) LiDAR points in the camera optical frame, metres."""
    prediction: np.ndarray
    """float32 (H, W) model output."""
    truth: np.ndarray
    """float32 (H, W) true depth, metres; NaN where the camera sees the sky."""


def sim_frames(estimator: DepthEstimator, width: int, height: int, beams: int, frames: int,
               seconds: float) -> tuple[list[SimFrame], Intrinsics]:
    """``frames`` frames of the default scene at poses spread over the first ``seconds`` s, and the intrinsics."""
    vertical_fov = (-15.0, 15.0) if beams <= 16 else (-25.0, 15.0)
    scene = SimScene(SimSceneConfig(image_width=width, image_height=height, lidar_beams=beams,
                                    lidar_vertical_fov_deg=vertical_fov))
    camera_from_lidar = invert(scene.base_from_camera) @ scene.base_from_lidar
    rng = np.random.default_rng(0)
    result = []
    for t_s in np.linspace(0.0, seconds, frames, endpoint=False):
        world_from_base = scene.base_pose(float(t_s))
        rgb, truth = scene.render_camera(world_from_base)
        points = apply(camera_from_lidar, scene.scan_lidar(world_from_base, rng)).astype(np.float32)
        result.append(SimFrame(points, estimator.predict(rgb, scene.intrinsics).values, truth))
    return result, scene.intrinsics


def time_fusion(estimator: DepthEstimator, frames: list[SimFrame], intrinsics: Intrinsics, runs: int,
                warmup: int) -> dict[str, np.ndarray]:
    """Milliseconds per stage for ``runs`` frames after ``warmup``, cycling through ``frames``."""
    fusion = ScaleFusion()
    samples = []
    for index in range(warmup + runs):
        frame = frames[index % len(frames)]
        started = time.perf_counter()
        sparse = project_points(frame.points_camera, intrinsics, MIN_DEPTH_M, MAX_DEPTH_M)
        projected = time.perf_counter()
        fusion.fuse(frame.prediction, estimator.kind, sparse)
        done = time.perf_counter()
        samples.append({"project": (projected - started) * 1e3, "fuse": (done - projected) * 1e3,
                        "total": (done - started) * 1e3})
    samples = samples[warmup:]
    return {stage: np.array([sample[stage] for sample in samples]) for stage in STAGES}


def sim_accuracy(estimator: DepthEstimator, frames: list[SimFrame],
                 intrinsics: Intrinsics) -> tuple[float, float, float]:
    """Median over the frames of the valid LiDAR points, the raw abs_rel and the fused abs_rel (one sequence)."""
    fusion = ScaleFusion()
    points, raw, fused = [], [], []
    for frame in frames:
        sparse = project_points(frame.points_camera, intrinsics, MIN_DEPTH_M, MAX_DEPTH_M)
        result = fusion.fuse(frame.prediction, estimator.kind, sparse)
        raw_depth = metric_depth(frame.prediction[None], estimator.kind, frame.truth[None])[0]
        points.append(result.points_used)
        raw.append(depth_metrics(raw_depth, frame.truth)["abs_rel"])
        fused.append(depth_metrics(result.depth, frame.truth)["abs_rel"])
    return float(np.median(points)), float(np.median(raw)), float(np.median(fused))


def motorcycle_accuracy(estimator: DepthEstimator, beams: list[int]) -> list[tuple[str, float, float, float]]:
    """(LiDAR, raw, global scale and fused abs_rel) on the Motorcycle for each beam count."""
    rgb, truth, k = load_middlebury_motorcycle()
    prediction = estimator.predict(rgb, Intrinsics.from_matrix(k, rgb.shape[1], rgb.shape[0])).values
    raw = metric_depth(prediction[None], estimator.kind, truth[None])
    raw_abs_rel = depth_metrics(raw, truth[None])["abs_rel"]
    global_abs_rel = depth_metrics(global_scale_depth(raw, truth[None]), truth[None])["abs_rel"]
    rows = []
    for count in beams:
        fused = ScaleFusion().fuse(prediction, estimator.kind, sparse_from_beams(truth, count)).depth
        rows.append((f"{count} beams", raw_abs_rel, global_abs_rel, depth_metrics(fused, truth)["abs_rel"]))
    return rows


def timing_table(rows: list[tuple[str, dict[str, np.ndarray], float, float, float]]) -> str:
    lines = ["| scene | LiDAR points | " + " | ".join(STAGES) + " | abs_rel raw | abs_rel fused |",
             "|---|---:|" + "---:|" * len(STAGES) + "---:|---:|"]
    for label, timings, points, raw, fused in rows:
        cells = " | ".join(percentile_cell(timings[stage]) for stage in STAGES)
        lines.append(f"| {label} | {points:.0f} | {cells} | {raw:.3f} | {fused:.3f} |")
    return "\n".join(lines)


def accuracy_table(rows: list[tuple[str, float, float, float]]) -> str:
    lines = ["| LiDAR | abs_rel raw | abs_rel global scale | abs_rel fused |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {raw:.4f} | {global_:.4f} | {fused:.4f} |" for label, raw, global_, fused in rows]
    return "\n".join(lines)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(parser)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=list(SIZES),
                        help="image sizes WIDTHxHEIGHT (default: 640x480 1280x720)")
    parser.add_argument("--beams", type=int, nargs="+", default=[16, 64], help="LiDAR beam counts (default: 16 64)")
    parser.add_argument("--frames", type=int, default=5, help="sim frames per row (default: 5)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="the frames are spread over this much of the robot's path (default: 10)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per row (default: 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per row first (default: 5)")
    arguments = parser.parse_args()
    if min(arguments.beams) < 1 or arguments.frames < 1 or arguments.runs < 1 or arguments.warmup < 0:
        parser.error("--beams, --frames and --runs must be >= 1, --warmup >= 0")
    if not arguments.seconds >= 0.0:
        parser.error("--seconds must not be negative")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    estimator = DepthEstimator(model_spec_from_arguments(arguments))
    rows = []
    for width, height in arguments.sizes:
        for beams in arguments.beams:
            frames, intrinsics = sim_frames(estimator, width, height, beams, arguments.frames, arguments.seconds)
            timings = time_fusion(estimator, frames, intrinsics, arguments.runs, arguments.warmup)
            rows.append((f"sim indoor, {width}x{height}, {beams} beams", timings,
                         *sim_accuracy(estimator, frames, intrinsics)))
    model = f"{estimator.description} on {device_label(estimator.device, arguments.fp16)}"
    print(f"### LiDAR fusion per frame (CPU, this process): {model}")
    print(f"ms, median (p90) of {arguments.runs} runs after {arguments.warmup} warm-up runs over {arguments.frames} "
          f"frames of the default sim scene in its first {arguments.seconds:g} s; range [{MIN_DEPTH_M}, "
          f"{MAX_DEPTH_M}] m; LiDAR points and abs_rel are medians over the frames\n")
    print(timing_table(rows))
    print(f"\n### LiDAR fusion accuracy on the Middlebury Motorcycle: {model}")
    print("abs_rel over the valid ground-truth pixels; beams simulated from the ground truth (sparse_from_beams, "
          "every 4th column)\n")
    print(accuracy_table(motorcycle_accuracy(estimator, arguments.beams)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
