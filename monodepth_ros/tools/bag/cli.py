"""monodepth-bag: the pipeline over recorded rosbag2 bags (mcap or sqlite3), without a running ROS graph.

    monodepth-bag IN_BAG --out OUT_BAG [--image-topic T --camera-info-topic T --lidar-topic T --odom-topic T]
                  [model options as depth_node's parameters]
    monodepth-bag play IN_BAG [--rate R] [--loop] [--topics T ...]   publish a bag at its recorded rate
    monodepth-bag sim OUT_BAG [--frames N] [--ground-truth]            record the synthetic scene into a bag

Processing writes depth, fused depth, points and costmap under the image topic's namespace with the input stamps
(see monodepth_ros.tools.bag.process). A bag with one Image, one CameraInfo and at most one PointCloud2 and
Odometry topic needs no topic options. Every failure is one line on stderr and exit status 1.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sources.bag_file import STORAGES, BagError
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

COMMANDS = ("play", "sim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monodepth-bag", description=__doc__.splitlines()[0],
                                     epilog="other commands: monodepth-bag play --help, monodepth-bag sim --help")
    parser.add_argument("bag", type=Path, help="input bag: a rosbag2 folder, or its .mcap / .db3 file")
    parser.add_argument("--out", type=Path, required=True, help="output bag folder (must not exist)")
    parser.add_argument("--storage", choices=sorted(STORAGES), default="mcap", help="output storage (default mcap)")
    for option, kind in (("--image-topic", "sensor_msgs/Image"), ("--camera-info-topic", "sensor_msgs/CameraInfo"),
                         ("--lidar-topic", "sensor_msgs/PointCloud2 (LiDAR)"), ("--odom-topic", "nav_msgs/Odometry")):
        parser.add_argument(option, metavar="TOPIC", help=f"the {kind} topic (default: the bag's only one)")
    parser.add_argument("--base-frame", default="base_link", help="robot base frame of the costmap (default "
                        "base_link, costmap_node's base_frame)")
    parser.add_argument("--lidar-pose-in-camera", type=float, nargs=7, metavar=("X", "Y", "Z", "QX", "QY", "QZ", "QW"),
                        help="LiDAR pose in the camera optical frame (default: from /tf_static, else identity)")
    parser.add_argument("--camera-pose-in-base", type=float, nargs=7, metavar=("X", "Y", "Z", "QX", "QY", "QZ", "QW"),
                        help="camera optical frame pose in the base frame (default: from /tf_static, else "
                             "costmap_node's default)")
    parser.add_argument("--no-temporal-consistency", action="store_true",
                        help="every frame on its own (the nodes' temporal_consistency false)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_model_arguments(parser)
    return parser


def build_sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monodepth-bag sim", description="record the synthetic scene (camera, "
                                     "LiDAR, odometry, /tf_static) into a new bag")
    parser.add_argument("out", type=Path, help="output bag folder (must not exist)")
    parser.add_argument("--frames", type=int, default=30, help="frames to record (default 30)")
    parser.add_argument("--rate", type=float, default=10.0, help="frames per second of bag time (default 10)")
    parser.add_argument("--size", type=int, nargs=2, default=(640, 480), metavar=("W", "H"),
                        help="image size in pixels (default 640 480)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    parser.add_argument("--namespace", default="/robot", help="namespace of the topics (default /robot)")
    parser.add_argument("--storage", choices=sorted(STORAGES), default="mcap", help="storage (default mcap)")
    parser.add_argument("--ground-truth", action="store_true",
                        help="also record depth/ground_truth (a second Image topic: processing then needs "
                             "--image-topic)")
    parser.add_argument("--no-lidar", action="store_true", help="leave out points_lidar")
    return parser


def process_main(argv: list[str]) -> int:
    from monodepth_ros.tools.bag.process import process_bag

    args = build_parser().parse_args(argv)
    if args.out.exists():
        return _fail(f"{args.out} exists already; choose a new output folder")
    run = process_bag(args.bag, args.out, model_spec_from_arguments(args), args.image_topic,
                      args.camera_info_topic, args.lidar_topic, args.odom_topic, args.storage, args.base_frame,
                      args.lidar_pose_in_camera, args.camera_pose_in_base,
                      temporal_consistency=not args.no_temporal_consistency, progress=not args.no_progress,
                      announce=lambda line: print(line, file=sys.stderr))
    skipped = "; ".join(f"{count} x {reason}" for reason, count in run.skipped.items())
    if run.processed == 0:
        return _fail(f"none of the {run.frames} images could be processed ({skipped}); {args.out} holds no output")
    if skipped:
        print(f"skipped frames: {skipped}", file=sys.stderr)
    stages = ", ".join(f"{stage} {ms:.1f}" for stage, ms in run.stage_medians_ms.items())
    print(f"{run.processed} of {run.frames} frames in {run.seconds:.2f} s ({run.frames_per_second:.2f} frames/s; "
          f"median ms per stage: {stages}) -> {args.out}: {', '.join(run.outputs.values())}")
    return 0


def sim_main(argv: list[str]) -> int:
    from monodepth_ros.tools.bag.sim_bag import write_sim_bag

    args = build_sim_parser().parse_args(argv)
    if args.frames < 1 or args.rate <= 0.0:
        return _fail("--frames must be at least 1 and --rate positive")
    config = SimSceneConfig(seed=args.seed, image_width=args.size[0], image_height=args.size[1])
    topics = write_sim_bag(args.out, args.frames, config, args.rate, args.namespace, args.storage,
                           lidar=not args.no_lidar, ground_truth=args.ground_truth)
    print(f"{args.frames} frames -> {args.out}: {', '.join(sorted(topics.values()))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    try:
        if command == "play":
            from monodepth_ros.tools.bag.play import play_main

            return play_main(argv[1:])
        if command == "sim":
            return sim_main(argv[1:])
        return process_main(argv)
    except (BagError, ConversionError, ValueError, FileNotFoundError, RuntimeError, ImportError) as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")


def _fail(reason: str) -> int:
    print(f"error: {' '.join(reason.split())}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
