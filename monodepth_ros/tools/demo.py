"""The whole pipeline on the synthetic scene, through real ROS 2 messages, with a report in out/.

.venv/bin/python -m monodepth_ros.tools.demo --out out [--seconds 20] [--scale-source lidar|ground_plane|none]
Runs `monodepth-pipeline --sim` (sim scene -> depth -> scale fusion -> point cloud -> costmap) in its own
process, records every stage from this process and writes:
  stages.png     camera image | raw depth | fused depth | ground truth | fused error, for one frame
  costmap.png    the costmap (white free, grey unknown, shades inflated, black lethal) with the
                 ground-truth obstacles outlined in red and the robot in blue
  points.ply     the point cloud of that frame (camera optical frame, metres)
  summary.json   abs_rel_raw, abs_rel_fused, costmap_iou, costmap_precision, costmap_recall (lethal cells),
                 latency_ms per stage, and more
--scale-source: where lidar_fusion_node takes the metric scale from: lidar (the sim's LiDAR), ground_plane (the
floor at the camera's known height; the sim publishes no LiDAR) or none (no LiDAR: the raw depth passes through).
  README.md      what the files show and the figures
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.testing.node_process import NodeProcess

NAMESPACE = "/monodepth_demo"
SIM_RATE_HZ = 5.0
SCALE_SOURCES = {"lidar": {"scale_source": "lidar", "publish_lidar": True},
                 "ground_plane": {"scale_source": "ground_plane", "publish_lidar": False},
                 "none": {"scale_source": "lidar", "publish_lidar": False}}
"""--scale-source -> parameters of the pipeline's nodes (lidar_fusion_node's scale_source, sim_scene_node's
publish_lidar)."""
COSTMAP_DEFAULTS = CostmapConfig()
GROUND_TRUTH_LIMITS = (COSTMAP_DEFAULTS.min_obstacle_height_m, COSTMAP_DEFAULTS.max_obstacle_height_m,
                       COSTMAP_DEFAULTS.obstacle_max_range_m)
"""costmap_node's default obstacle height band and range, used for the ground truth too."""
MAX_SHOWN_ERROR = 0.5
"""Relative depth errors at or above this are shown in the same red."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--seconds", type=float, default=20.0, help="recording time after the first costmap")
    parser.add_argument("--scale-source", choices=tuple(SCALE_SOURCES), default="lidar",
                        help="metric scale from the sim's LiDAR, from the ground plane, or none (raw depth)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from monodepth_ros.ros.common.dds_profile import use_large_message_profile

    use_large_message_profile()
    import rclpy

    from monodepth_ros.core.sim.config import SimSceneConfig
    from monodepth_ros.core.sim.scene import SimScene
    from monodepth_ros.testing.pipeline_recorder import (
        STAGES,
        PipelineRecorder,
        costmap_scores,
        depth_abs_rel,
        stage_latencies_ms,
        visible_obstacles,
        world_from_base,
    )

    log_path = args.out / "pipeline.log"
    pipeline = NodeProcess("monodepth_ros.ros.runners.pipeline_runner", log_path,
                           {"rate_hz": SIM_RATE_HZ, **SCALE_SOURCES[args.scale_source]},
                           arguments=("--sim", "--namespace", NAMESPACE))
    rclpy.init()
    node = rclpy.create_node("monodepth_demo_recorder")
    recorder = PipelineRecorder(node, NAMESPACE)
    every_key = (*STAGES, "ground_truth", "odom")
    try:
        started = time.monotonic()
        while not recorder.frames_with(every_key) and time.monotonic() - started < 120.0:
            rclpy.spin_once(node, timeout_sec=0.1)
            if not pipeline.alive():
                break
        print(f"pipeline running; recording {args.seconds:.0f} s", flush=True)
        end = time.monotonic() + args.seconds
        while time.monotonic() < end and pipeline.alive():
            rclpy.spin_once(node, timeout_sec=0.1)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        pipeline.stop()
    frames = recorder.frames_with(every_key)
    if not frames:
        print(f"the pipeline produced no complete frame; see {log_path}", file=sys.stderr)
        return 1
    scene = SimScene(SimSceneConfig())
    scores = [costmap_scores(frame["costmap"].message, *visible_obstacles(
        scene, frame["costmap"].message, frame["odom"].message, *GROUND_TRUTH_LIMITS)) for frame in frames]
    last = frames[-1]
    truth = scene.occupancy_grid(world_from_base(last["odom"].message), last["costmap"].message.info.resolution,
                                 last["costmap"].message.info.width * last["costmap"].message.info.resolution,
                                 *GROUND_TRUTH_LIMITS[:2])
    summary = {
        "frames": len(frames),
        "abs_rel_raw": round(depth_abs_rel(frames, "depth"), 4),
        "abs_rel_fused": round(depth_abs_rel(frames, "fused"), 4),
        **{f"costmap_{name}": round(float(np.nanmedian([score[name] for score in scores])), 4)
           for name in ("iou", "precision", "recall")},
        "scale_source": args.scale_source,
        "latency_ms": stage_latencies_ms(frames),
        "model": "fastdepth (embedded)",
        "scene": "sim_scene indoor seed 0, 640x480 camera, "
                 + ("16-beam LiDAR" if SCALE_SOURCES[args.scale_source]["publish_lidar"] else "no LiDAR"),
    }
    write_pictures(args.out, last, truth)
    write_ply(args.out / "points.ply", last["points"].message)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_readme(args.out / "README.md", summary)
    print(json.dumps(summary))
    return 0


def write_pictures(out: Path, frame: dict, truth: np.ndarray) -> None:
    """stages.png and costmap.png for one recorded frame."""
    from monodepth_ros.core.viz.colorize import colorize_depth, side_by_side, with_scale_bar
    from monodepth_ros.ros.conversions.image import depth_image_to_metres, image_to_rgb
    from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_to_array

    ground_truth = depth_image_to_metres(frame["ground_truth"].message)
    low, high = (float(v) for v in np.nanpercentile(ground_truth, (1, 99)))
    panels = [labelled(image_to_rgb(frame["image"].message), "camera")]
    for key, title in (("depth", "raw depth"), ("fused", "fused depth")):
        colored, _ = colorize_depth(depth_image_to_metres(frame[key].message), low, high)
        panels.append(labelled(colored, title))
    panels.append(labelled(with_scale_bar(colorize_depth(ground_truth, low, high)[0], low, high), "ground truth"))
    error = np.abs(depth_image_to_metres(frame["fused"].message) - ground_truth) / ground_truth
    error_colored, _ = colorize_depth(error, 0.0, MAX_SHOWN_ERROR, large_is_red=True)
    panels.append(labelled(with_scale_bar(error_colored, 0.0, MAX_SHOWN_ERROR, label="|error| / depth",
                                          large_is_red=True), "fused error"))
    cv2.imwrite(str(out / "stages.png"), cv2.cvtColor(side_by_side(*panels), cv2.COLOR_RGB2BGR))

    values = occupancy_grid_to_array(frame["costmap"].message)
    picture = np.full(values.shape + (3,), 128, np.uint8)
    known = values >= 0
    picture[known] = (255 - values[known].astype(np.int32) * 255 // 100).astype(np.uint8)[:, None]
    contours, _ = cv2.findContours(truth.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(picture, contours, -1, (255, 0, 0), 1)
    centre = (values.shape[1] // 2, values.shape[0] // 2)
    cv2.circle(picture, centre, 3, (0, 0, 255), -1)
    cv2.line(picture, centre, (centre[0] + 12, centre[1]), (0, 0, 255), 2)
    picture = cv2.resize(np.flipud(picture), None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(out / "costmap.png"), cv2.cvtColor(labelled(picture, "costmap (x right, y up)"),
                                                       cv2.COLOR_RGB2BGR))


def labelled(image: np.ndarray, title: str) -> np.ndarray:
    """``image`` uint8 (H, W, 3) with ``title`` written at its top left."""
    image = np.ascontiguousarray(image)
    cv2.putText(image, title, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(image, title, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def write_ply(path: Path, cloud) -> None:
    """Binary little-endian PLY of the cloud's finite x, y, z (float32)."""
    from monodepth_ros.ros.conversions.pointcloud2 import pointcloud2_to_xyz

    xyz = pointcloud2_to_xyz(cloud)
    xyz = np.ascontiguousarray(xyz[np.isfinite(xyz).all(axis=1)], dtype="<f4")
    header = (f"ply\nformat binary_little_endian 1.0\ncomment frame {cloud.header.frame_id}, metres\n"
              f"element vertex {len(xyz)}\nproperty float x\nproperty float y\nproperty float z\nend_header\n")
    path.write_bytes(header.encode("ascii") + xyz.tobytes())


def write_readme(path: Path, summary: dict) -> None:
    latency = "\n".join(f"| {stage} | {ms} |" for stage, ms in summary["latency_ms"].items())
    path.write_text(f"""# monodepth_ros demo

The synthetic scene ({summary['scene']}) drove the whole pipeline through ROS 2 messages:
camera image -> depth_node ({summary['model']}) -> lidar_fusion_node (scale source: {summary['scale_source']})
-> pointcloud_node -> costmap_node.
{summary['frames']} frames were recorded with their ground truth.

| figure | value |
|---|---|
| abs_rel of the raw network depth (median over frames) | {summary['abs_rel_raw']} |
| abs_rel after scale fusion | {summary['abs_rel_fused']} |
| costmap IoU, lethal vs. true obstacles in view (one-cell tolerance) | {summary['costmap_iou']} |
| precision of lethal cells (median over frames) | {summary['costmap_precision']} |
| recall of true obstacle cells in view (median over frames) | {summary['costmap_recall']} |

| stage latency | ms (median) |
|---|---|
{latency}

- `stages.png`: camera | raw depth | fused depth | ground truth (same colour scale, metres) | fused error.
- `costmap.png`: the costmap of the last frame; red outlines are the true obstacles, blue is the robot
  (facing right). White is free, grey unknown, dark shades are inflated cost, black lethal.
- `points.ply`: the point cloud of that frame in the camera optical frame (metres).
- `summary.json`: the figures above; `pipeline.log`: the nodes' log.
""")


if __name__ == "__main__":
    raise SystemExit(main())
