"""Metric depth and costmap without LiDAR: the ground-plane scale on the sim scene, in this process, without DDS.

The sim scene (seed 0, 640x480) drives along its path at ``--rate`` frames per second for ``--seconds``; every
frame goes through the depth model (FastDepth by default, model options as in monodepth_ros/tools/model_arguments.py),
GroundPlaneScale (without and with the camera image) and a RollingCostmap fed as pointcloud_node and costmap_node
feed theirs (config/pipeline.yaml: decimation 2, 8 m, discontinuity 0.02, hit_probability 0.6). Prints a Markdown
table of medians over the frames: abs_rel of the raw, the floor-scaled and the floor-scaled-with-image depth, the
costmap's IoU, precision and recall of lethal cells against the true obstacles in view (as the demo scores them,
one-cell tolerance; the first second is skipped), and the time of GroundPlaneScale.fuse.
"""
from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from monodepth_ros.core.camera.transforms import apply
from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.raytrace import clearing_ray_endpoints
from monodepth_ros.core.costmap.rolling_costmap import RollingCostmap
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.fusion.ground_plane_scale import GroundPlaneScale
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.ground_truth import visible_region
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

DEPTH_RANGE_M = (0.1, 20.0)
CLOUD_MAX_DEPTH_M, CLOUD_DECIMATION, DISCONTINUITY_RATIO = 8.0, 2, 0.02
SKIPPED_S = 1.0


def lethal_scores(lethal: np.ndarray, truth: np.ndarray, region: np.ndarray) -> tuple[float, float, float] | None:
    """(IoU, precision, recall) of ``lethal`` against ``truth`` inside ``region`` with a one-cell tolerance."""
    lethal = lethal & region
    if not lethal.any() and not truth.any():
        return None
    kernel = np.ones((3, 3), np.uint8)
    near_truth = cv2.dilate(truth.astype(np.uint8), kernel).astype(bool)
    near_lethal = cv2.dilate(lethal.astype(np.uint8), kernel).astype(bool)
    precision = (lethal & near_truth).sum() / max(1, lethal.sum())
    recall = (truth & near_lethal).sum() / max(1, truth.sum())
    iou = 1.0 / (1.0 / precision + 1.0 / recall - 1.0) if precision > 0 and recall > 0 else 0.0
    return float(iou), float(precision), float(recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=12.0, help="path time covered (default: 12)")
    parser.add_argument("--rate", type=float, default=5.0, help="frames per second of path time (default: 5)")
    add_model_arguments(parser)
    arguments = parser.parse_args()
    scene = SimScene(SimSceneConfig())
    estimator = DepthEstimator(model_spec_from_arguments(arguments))
    geometry_only, with_image = GroundPlaneScale(), GroundPlaneScale()
    costmap = RollingCostmap(CostmapConfig(hit_probability=0.6))
    unprojection = DepthToPoints()
    intrinsics, base_from_camera = scene.intrinsics, scene.base_from_camera
    optical_axis = base_from_camera[:3, 2]
    figures: dict[str, list[float]] = {name: [] for name in
                                       ("raw", "floor", "floor_and_image", "iou", "precision", "recall", "fuse_ms")}
    for stamp_s in np.arange(0.0, arguments.seconds, 1.0 / arguments.rate):
        pose = scene.base_pose(stamp_s)
        scene.set_time(stamp_s)
        rgb, truth = scene.render_camera(pose)
        prediction = estimator.predict(rgb, intrinsics, DEPTH_RANGE_M).values
        floor = geometry_only.fuse(prediction, estimator.kind, intrinsics, base_from_camera, stamp_s).depth
        started = time.perf_counter()
        depth = with_image.fuse(prediction, estimator.kind, intrinsics, base_from_camera, stamp_s, rgb=rgb).depth
        figures["fuse_ms"].append((time.perf_counter() - started) * 1e3)
        for name, values in (("raw", prediction), ("floor", floor), ("floor_and_image", depth)):
            figures[name].append(depth_metrics(values, truth)["abs_rel"])
        with np.errstate(invalid="ignore"):
            in_range = np.where((depth >= DEPTH_RANGE_M[0]) & (depth <= DEPTH_RANGE_M[1]), depth, np.nan)
        cloud = unprojection.convert(np.where(in_range <= CLOUD_MAX_DEPTH_M, in_range, np.nan).astype(np.float32),
                                     intrinsics, CLOUD_DECIMATION, DEPTH_RANGE_M[0], CLOUD_MAX_DEPTH_M,
                                     DISCONTINUITY_RATIO).xyz
        clearing = clearing_ray_endpoints(in_range, intrinsics, 8, costmap.config.raytrace_max_range_m,
                                          near_guard_m=0.3)
        costmap.move_to(pose)
        costmap.update(apply(base_from_camera, cloud), base_from_camera[:3, 3], float(stamp_s),
                       apply(base_from_camera, clearing))
        if stamp_s < SKIPPED_S:
            continue
        obstacles = scene.occupancy_grid(pose, costmap.config.resolution_m, costmap.config.size_m,
                                         costmap.config.min_obstacle_height_m, costmap.config.max_obstacle_height_m)
        region = visible_region(obstacles, costmap.config.resolution_m, tuple(base_from_camera[:2, 3]),
                                float(np.arctan2(optical_axis[1], optical_axis[0])), np.radians(scene.config.fov_deg),
                                costmap.config.obstacle_max_range_m)
        scores = lethal_scores(costmap.obstacles(), obstacles & region, region)
        if scores is not None:
            for name, value in zip(("iou", "precision", "recall"), scores):
                figures[name].append(value)
    print(f"Ground-plane scale on the sim scene: {len(figures['raw'])} frames at {arguments.rate:g} Hz, "
          f"{estimator.description}, medians\n")
    print("| abs_rel raw | floor scale | floor scale + image | costmap IoU | precision | recall | fuse ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print("| " + " | ".join(f"{np.median(figures[name]):.3f}" for name in
                            ("raw", "floor", "floor_and_image", "iou", "precision", "recall"))
          + f" | {np.median(figures['fuse_ms']):.1f} |")


if __name__ == "__main__":
    main()
