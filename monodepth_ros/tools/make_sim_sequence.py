"""Write a sequence of the synthetic scene (moving camera, a walking mover, LiDAR) as evaluation DATA.npz.

Usage: python -m monodepth_ros.tools.make_sim_sequence OUT.npz [--frames N] [--fps F] [--width W] [--height H]
                                                        [--seed S] [--environment indoor|outdoor]
                                                        [--mover-distance M] [--mover-speed V]

DATA.npz (monodepth_ros.core.eval.datasets) gets rgb, depth, K, sparse (the LiDAR scan projected into each image),
poses (camera-to-world, N x 4 x 4), stamps (s) and moving (the mover's pixels); ``evaluate`` reads it, with
temporal metrics from the poses.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from monodepth_ros.core.eval.datasets import save_eval_npz
from monodepth_ros.core.sim.config import ENVIRONMENTS, SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.core.sim.sequence import render_sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m monodepth_ros.tools.make_sim_sequence",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the DATA.npz to write")
    parser.add_argument("--frames", type=int, default=30, help="frames to render (default 30)")
    parser.add_argument("--fps", type=float, default=15.0, help="frames per second of path time (default 15)")
    parser.add_argument("--width", type=int, default=640, help="image width, pixels (default 640)")
    parser.add_argument("--height", type=int, default=480, help="image height, pixels (default 480)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    parser.add_argument("--environment", choices=ENVIRONMENTS, default="indoor")
    parser.add_argument("--mover-distance", type=float, default=3.0, metavar="M",
                        help="the mover walks across the path this far ahead of the start (m; 0: no mover; "
                             "default 3)")
    parser.add_argument("--mover-speed", type=float, default=0.8, metavar="V",
                        help="walking speed of the mover (m/s, default 0.8)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = SimSceneConfig(seed=args.seed, environment=args.environment, image_width=args.width,
                                image_height=args.height, mover_distance_m=args.mover_distance,
                                mover_speed_mps=args.mover_speed)
        sequence = render_sequence(SimScene(config), args.frames, args.fps)
        save_eval_npz(args.out, sequence.rgb, sequence.depth, sequence.K, sparse=sequence.sparse,
                      poses=sequence.poses, stamps=sequence.stamps, moving=sequence.moving)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {args.frames} frames {args.width}x{args.height} at {args.fps:g} fps, "
          f"mover on {100.0 * float(np.mean(sequence.moving)):.1f} % of the pixels, "
          f"{int(np.isfinite(sequence.sparse).sum())} LiDAR samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
