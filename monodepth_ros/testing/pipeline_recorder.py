"""Record what the pipeline publishes about the sim scene, and score it against the scene's ground truth."""
from __future__ import annotations

import collections
import statistics
import time
from dataclasses import dataclass

import cv2
import numpy as np
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.node import Node
from rclpy.qos import ReliabilityPolicy
from sensor_msgs.msg import Image, PointCloud2

from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.sim.ground_truth import visible_region
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.ros.common.qos import latched_output_qos, sensor_input_qos
from monodepth_ros.ros.conversions.geometry import pose_to_transform
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import depth_image_to_metres
from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_to_array

STAGES = {"image": ("image_raw", Image), "depth": ("depth/image", Image), "fused": ("depth/fused", Image),
          "points": ("points", PointCloud2), "costmap": ("costmap", OccupancyGrid)}
"""Pipeline outputs in the order they are produced: key -> (topic, type)."""
GROUND_TRUTH = {"ground_truth": ("depth/ground_truth", Image), "odom": ("odom", Odometry)}


@dataclass
class Received:
    message: object
    arrival_s: float
    """Wall-clock arrival time (seconds), comparable with header stamps of a system-time publisher."""


class PipelineRecorder:
    """Keeps the last ``capacity`` stamps of every stage's output and of the sim's ground truth."""

    def __init__(self, node: Node, namespace: str, capacity: int = 60) -> None:
        self._by_stamp: collections.OrderedDict[int, dict[str, Received]] = collections.OrderedDict()
        self._capacity = capacity
        for key, (topic, message_type) in {**STAGES, **GROUND_TRUTH}.items():
            qos = (latched_output_qos() if message_type is OccupancyGrid
                   else sensor_input_qos(ReliabilityPolicy.RELIABLE, depth=10))
            node.create_subscription(message_type, f"{namespace}/{topic}",
                                     lambda message, key=key: self._store(key, message), qos)

    def _store(self, key: str, message) -> None:
        frame = self._by_stamp.setdefault(stamp_ns(message.header), {})
        frame[key] = Received(message, time.time())
        while len(self._by_stamp) > self._capacity:
            self._by_stamp.popitem(last=False)

    def frames_with(self, keys: tuple[str, ...]) -> list[dict[str, Received]]:
        """Recorded frames (oldest first) that have all of ``keys``."""
        return [frame for frame in self._by_stamp.values() if all(key in frame for key in keys)]


def stage_latencies_ms(frames: list[dict[str, Received]]) -> dict[str, float]:
    """Median latency of each stage (from the previous stage's output) and end to end, milliseconds."""
    keys = list(STAGES)
    latencies: dict[str, list[float]] = {f"{a}_to_{b}": [] for a, b in zip(keys, keys[1:])}
    latencies["end_to_end"] = []
    for frame in frames:
        for earlier, later in zip(keys, keys[1:]):
            latencies[f"{earlier}_to_{later}"].append((frame[later].arrival_s - frame[earlier].arrival_s) * 1e3)
        stamp_s = stamp_ns(frame["costmap"].message.header) * 1e-9
        latencies["end_to_end"].append((frame["costmap"].arrival_s - stamp_s) * 1e3)
    return {name: round(statistics.median(values), 1) for name, values in latencies.items() if values}


def depth_abs_rel(frames: list[dict[str, Received]], key: str) -> float:
    """Median over frames of abs_rel of stage ``key`` ('depth' or 'fused') against the ground truth."""
    return float(np.median([depth_metrics(depth_image_to_metres(frame[key].message),
                                          depth_image_to_metres(frame["ground_truth"].message))["abs_rel"]
                            for frame in frames]))


def world_from_base(odometry: Odometry) -> np.ndarray:
    """4x4 pose of the odometry's child frame (base_link) in its parent frame."""
    return pose_to_transform(odometry.pose.pose)


def visible_obstacles(scene: SimScene, costmap: OccupancyGrid, odometry: Odometry, min_height_m: float,
                      max_height_m: float, max_range_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Ground truth in the costmap's window (base frame, centred on the robot): bool (H, W) obstacle cells the
    camera sees now, and bool (H, W) cells it sees (free space up to and including the first obstacle within
    ``max_range_m``)."""
    truth = scene.occupancy_grid(world_from_base(odometry), costmap.info.resolution,
                                 costmap.info.width * costmap.info.resolution, min_height_m, max_height_m)
    optical_axis = scene.base_from_camera[:3, 2]
    region = visible_region(truth, costmap.info.resolution, tuple(scene.base_from_camera[:2, 3]),
                            float(np.arctan2(optical_axis[1], optical_axis[0])),
                            np.radians(scene.config.fov_deg), max_range_m)
    return truth & region, region


def costmap_iou(costmap: OccupancyGrid, visible_truth: np.ndarray, region: np.ndarray,
                tolerance_cells: int = 1) -> float:
    """IoU of lethal cells and visible ground-truth obstacle cells inside ``region`` (see costmap_scores)."""
    return costmap_scores(costmap, visible_truth, region, tolerance_cells)["iou"]


def costmap_scores(costmap: OccupancyGrid, visible_truth: np.ndarray, region: np.ndarray,
                   tolerance_cells: int = 1) -> dict[str, float]:
    """Precision, recall and IoU of lethal cells against visible ground-truth obstacle cells inside ``region``, a
    cell counting as matched when the other set has a cell within ``tolerance_cells`` (surfaces fall on either side
    of a cell border).

    precision = matched lethal / lethal, recall = matched truth / truth,
    IoU = TP / (TP + FP + FN) = 1 / (1 / precision + 1 / recall - 1); all NaN when both sets are empty, a ratio
    with an empty denominator is NaN.
    """
    lethal = (occupancy_grid_to_array(costmap) == 100) & region
    if not lethal.any() and not visible_truth.any():
        return {"iou": float("nan"), "precision": float("nan"), "recall": float("nan")}
    kernel = np.ones((2 * tolerance_cells + 1,) * 2, np.uint8)
    near_truth = cv2.dilate(visible_truth.astype(np.uint8), kernel).astype(bool)
    near_lethal = cv2.dilate(lethal.astype(np.uint8), kernel).astype(bool)
    precision = (lethal & near_truth).sum() / lethal.sum() if lethal.any() else float("nan")
    recall = (visible_truth & near_lethal).sum() / visible_truth.sum() if visible_truth.any() else float("nan")
    iou = float(1.0 / (1.0 / precision + 1.0 / recall - 1.0)) if precision > 0 and recall > 0 else 0.0
    return {"iou": iou, "precision": float(precision), "recall": float(recall)}
