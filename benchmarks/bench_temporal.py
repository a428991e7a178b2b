"""Temporal stabiliser: consistency and accuracy on a sim sequence, and its cost per frame.

Renders a sequence of the synthetic scene (monodepth_ros.core.sim: the camera moving along the robot's path, a
person-sized mover walking across it, LiDAR) at ``--size`` and ``--fps``, and runs the evaluate tool's code on
it twice with the chosen model (default: the embedded FastDepth): per frame (``--no-temporal``) and through the
stabiliser (raw: depth_node's stabiliser; fused: fusion of the stabilised depth, then the stabiliser, as
lidar_fusion_node). Prints a Markdown table of TAE (x 100, Video Depth Anything's definition), abs_rel and
abs_rel on the mover's pixels, per-frame against stabilised, with the acceptance targets (TAE <= 0.5 x, abs_rel
<= +3 %, mover abs_rel <= +10 %), and the TAE of the ground truth itself (the floor: the mover is not explained by
the camera's motion). Then the stabiliser's wall time per frame at ``--size`` over the sequence's frames and the
model's predictions (median and p90 over ``--runs`` passes after one warm-up pass).
"""
from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_common import parse_size, percentile_cell

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.eval.datasets import save_eval_npz
from monodepth_ros.core.eval.temporal_metrics import tae
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.core.sim.sequence import render_sequence
from monodepth_ros.core.temporal.stabiliser import TemporalStabiliser
from monodepth_ros.tools.evaluate import evaluate
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

TAE_TARGET_RATIO = 0.5
ABS_REL_TARGET_CHANGE = 0.03
MOVER_TARGET_CHANGE = 0.10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--frames", type=int, default=45, help="frames of the sequence (default 45)")
    parser.add_argument("--fps", type=float, default=30.0, help="frame rate of the sequence (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    parser.add_argument("--runs", type=int, default=3, help="timed passes of the stabiliser (default 3)")
    add_model_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    width, height = args.size
    config = SimSceneConfig(seed=args.seed, image_width=width, image_height=height, mover_distance_m=3.0,
                            mover_speed_mps=0.8)
    sequence = render_sequence(SimScene(config), args.frames, args.fps)
    spec = model_spec_from_arguments(args)
    with tempfile.TemporaryDirectory() as folder:
        data_path = Path(folder) / "sequence.npz"
        save_eval_npz(data_path, sequence.rgb, sequence.depth, sequence.K, sparse=sequence.sparse,
                      poses=sequence.poses, stamps=sequence.stamps, moving=sequence.moving)
        per_frame = evaluate(data_path, Path(folder) / "per_frame.npz", spec, temporal=False)
        stabilised = evaluate(data_path, Path(folder) / "stabilised.npz", spec, temporal=True)
        with np.load(Path(folder) / "per_frame.npz") as predictions:
            raw_predictions = predictions["depth"]
    print(f"## Temporal stabiliser on a sim sequence: {args.frames} frames {width}x{height} at {args.fps:g} fps, "
          f"camera moving at {config.path_speed_mps} m/s, mover on {100.0 * sequence.moving.mean():.1f} % of the "
          f"pixels; model {per_frame['model']} on {per_frame['device']}\n")
    print("| stream | metric | per frame | stabilised | change | target | met |")
    print("|---|---|---:|---:|---:|---|---|")
    for stream, prefix in (("raw", ""), ("fused", "fused_")):
        rows = (("TAE", "tae", "ratio", TAE_TARGET_RATIO),
                ("abs_rel", "abs_rel", "change", ABS_REL_TARGET_CHANGE),
                ("abs_rel on the mover", "moving_abs_rel", "change", MOVER_TARGET_CHANGE))
        for label, key, kind, target in rows:
            before, after = per_frame[prefix + key], stabilised[prefix + key]
            if kind == "ratio":
                change, target_text, met = f"{after / before:.2f} x", f"<= {target:g} x", after / before <= target
            else:
                relative = after / before - 1.0
                change, target_text, met = f"{100.0 * relative:+.1f} %", f"<= +{100.0 * target:g} %", relative <= target
            print(f"| {stream} | {label} | {before:.4f} | {after:.4f} | {change} | {target_text} | "
                  f"{'yes' if met else 'no'} |")
    print(f"\nTAE of the ground truth itself (the floor on this sequence): "
          f"{tae(sequence.depth, sequence.poses, sequence.K):.3f}\n")
    intrinsics = Intrinsics.from_matrix(sequence.K, width, height)
    timings = []
    for run in range(args.runs + 1):
        stabiliser = TemporalStabiliser()
        for index, (rgb, depth) in enumerate(zip(sequence.rgb, raw_predictions)):
            start = time.perf_counter()
            stabiliser.update(rgb, depth, intrinsics, float(sequence.stamps[index]))
            if run > 0 and index > 0:
                timings.append((time.perf_counter() - start) * 1e3)
    print(f"Stabiliser per frame at {width}x{height}, ms median (p90) over {len(timings)} frames: "
          f"{percentile_cell(timings)} (target <= 6 ms)")


if __name__ == "__main__":
    main()
