"""The pipeline over a recorded bag: every camera frame through depth_node's, lidar_fusion_node's,
pointcloud_node's and costmap_node's work with their default parameters and the same core code and message
conversions, as fast as the CPU allows (no frame is dropped). Depth and fusion run in the nodes' DepthChain
(estimator -> temporal stabiliser -> scale fusion with the paired LiDAR cloud -> stabiliser); without a LiDAR
topic the fusion gets no returns and falls back as lidar_fusion_node does.

Outputs, under the namespace of the image topic (``/robot/image_raw`` -> ``/robot/...``), with the header (stamp,
frame) of the input image and its log time: ``depth/image`` (``depth/relative_inverse`` for relative models),
``depth/camera_info``, ``depth/fused``, ``points`` (from depth/fused, as the launch files wire pointcloud_node) and
``costmap`` (latched, in the base frame, at most costmap_node's publish_rate_hz in stamp time, after new clouds).
"""
from __future__ import annotations

import logging
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from nav_msgs.msg import OccupancyGrid
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from monodepth_ros.core.camera.projection import project_points
from monodepth_ros.core.camera.transforms import apply, transform_from_pose7
from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.raytrace import clearing_ray_endpoints
from monodepth_ros.core.costmap.rolling_costmap import RollingCostmap
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.fusion.config import (
    FusionConfig,
    GlobalFitConfig,
    GroundPlaneConfig,
    LocalCorrectionConfig,
    ScaleSmootherConfig,
)
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints
from monodepth_ros.core.runtime.depth_chain import DepthChain, DepthChainConfig
from monodepth_ros.core.sources.bag_file import (
    CAMERA_INFO_TYPE,
    IMAGE_TYPE,
    LATCHED_QOS,
    ODOMETRY_TYPE,
    POINTCLOUD_TYPE,
    BagError,
    BagReader,
    BagWriter,
    choose_topic,
    lookup_static,
)
from monodepth_ros.core.sources.bag_frames import BagFrame, Partner, paired_frames
from monodepth_ros.ros.bags.messages import from_cdr, to_cdr
from monodepth_ros.ros.common.topics import DEPTH_TOPIC
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.geometry import pose_to_transform
from monodepth_ros.ros.conversions.image import array_to_image, image_to_rgb
from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_msg
from monodepth_ros.ros.conversions.pointcloud2 import pointcloud2_to_xyz, xyz_to_pointcloud2
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_PARAMETERS
from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_PARAMETERS
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_PARAMETERS

LOGGER = logging.getLogger("monodepth_ros.bag")


def defaults(table) -> dict[str, Any]:
    """Name -> default of a node's parameter table: the tool runs every node with its defaults."""
    return {spec.name: spec.default for spec in table}


DEPTH, FUSION, POINTS, COSTMAP = (defaults(table) for table in (
    DEPTH_NODE_PARAMETERS, FUSION_NODE_PARAMETERS, POINTCLOUD_NODE_PARAMETERS, COSTMAP_NODE_PARAMETERS))


@dataclass(frozen=True)
class InputTopics:
    """The bag topics the pipeline reads; ``lidar`` and ``odom`` may be absent (None)."""

    image: str
    camera_info: str
    lidar: str | None
    odom: str | None

    @property
    def namespace(self) -> str:
        """The image topic's namespace ('' for a topic at the root): outputs go under it."""
        return self.image.rstrip("/").rsplit("/", 1)[0]


def discover_topics(reader: BagReader, image: str | None = None, camera_info: str | None = None,
                    lidar: str | None = None, odom: str | None = None) -> InputTopics:
    """The given topics (checked), else the bag's only Image, CameraInfo, PointCloud2 (optional) and Odometry
    (optional) topic; BagError names the option to give when the bag holds several."""
    topics = reader.topics
    return InputTopics(choose_topic(topics, IMAGE_TYPE, image, "--image-topic"),
                       choose_topic(topics, CAMERA_INFO_TYPE, camera_info, "--camera-info-topic"),
                       choose_topic(topics, POINTCLOUD_TYPE, lidar, "--lidar-topic", required=False),
                       choose_topic(topics, ODOMETRY_TYPE, odom, "--odom-topic", required=False))


def output_topics(namespace: str, depth_topic: str) -> dict[str, str]:
    """Output topic by role under ``namespace``."""
    return {role: f"{namespace}/{relative}" for role, relative in (
        ("depth", depth_topic), ("depth_info", "depth/camera_info"), ("fused", "depth/fused"),
        ("points", "points"), ("costmap", "costmap"))}


@dataclass(frozen=True)
class Extrinsics:
    """camera_from_lidar (fusion) and base_from_camera (costmap), 4x4, and where each came from."""

    camera_from_lidar: np.ndarray
    base_from_camera: np.ndarray
    sources: dict[str, str]


def resolve_extrinsics(reader: BagReader, camera_frame: str, lidar_frame: str | None, base_frame: str,
                       lidar_pose_in_camera: list[float] | None, camera_pose_in_base: list[float] | None
                       ) -> Extrinsics:
    """Each pose from its option when given, else from the bag's /tf_static, else the node parameter's default."""
    static = reader.static_transforms()
    poses, sources = {}, {}
    for name, given, target, source, default in (
            ("lidar_pose_in_camera", lidar_pose_in_camera, camera_frame, lidar_frame,
             FUSION["lidar_pose_in_camera"]),
            ("camera_pose_in_base", camera_pose_in_base, base_frame, camera_frame, COSTMAP["camera_pose_in_base"])):
        from_tf = None if source is None else lookup_static(static, target, source)
        if given is not None:
            poses[name], sources[name] = transform_from_pose7(list(given)), "option"
        elif from_tf is not None:
            poses[name], sources[name] = from_tf, "/tf_static"
        else:
            poses[name], sources[name] = transform_from_pose7(list(default)), "default"
    return Extrinsics(poses["lidar_pose_in_camera"], poses["camera_pose_in_base"], sources)


def chain_config(temporal_consistency: bool = True) -> DepthChainConfig:
    """depth_node's and lidar_fusion_node's per-frame work with their default parameters."""
    min_points = FUSION["min_points"]
    return DepthChainConfig(
        temporal_consistency=temporal_consistency,
        fusion=FusionConfig(
            global_fit=GlobalFitConfig(min_points=min_points),
            local_correction=LocalCorrectionConfig(strength=FUSION["local_strength"],
                                                   ground=GroundPlaneConfig(min_points=min_points)),
            scale_smoother=ScaleSmootherConfig(time_constant_frames=FUSION["temporal_time_constant_frames"])),
        depth_range_m=(DEPTH["min_depth_m"], DEPTH["max_depth_m"]),
        fused_range_m=(FUSION["min_depth_m"], FUSION["max_depth_m"]))


class BagPipeline:
    """One frame (image + paired camera_info, LiDAR cloud, odometry) -> the output messages of the nodes."""

    def __init__(self, estimator: DepthEstimator, extrinsics: Extrinsics, outputs: dict[str, str],
                 base_frame: str, temporal_consistency: bool = True) -> None:
        self.chain = DepthChain(estimator, chain_config(temporal_consistency))
        self.extrinsics = extrinsics
        self.outputs = outputs
        self.base_frame = base_frame
        self.depth_to_points = DepthToPoints()
        self.costmap = RollingCostmap(CostmapConfig())
        self.costmap_period_ns = round(1e9 / COSTMAP["publish_rate_hz"])
        self.last_costmap_ns: int | None = None
        self.unwritten_stamp = None
        self.timings_ms: dict[str, list[float]] = {}

    def process(self, frame: BagFrame) -> list[tuple[str, Any]]:
        """(topic, message) pairs of one frame; empty when it has no camera_info yet. Raises ConversionError for
        a message the nodes would drop."""
        info_message = frame.partners["camera_info"]
        if info_message is None:
            return []
        timer = _StageTimer(self.timings_ms)
        image: Image = from_cdr(frame.image.data, frame.image.msgtype)
        rgb = image_to_rgb(image)
        depth_info = camera_info_for_image(from_cdr(info_message.data, CAMERA_INFO_TYPE), image.header,
                                           image.width, image.height)
        intrinsics = camera_info_to_intrinsics(depth_info)
        timer.done("decode")
        sparse = self.sparse_lidar_depth(frame.partners.get("lidar"), intrinsics)
        timer.done("lidar")
        chained = self.chain.process(rgb, intrinsics, frame.stamp_ns / 1e9, sparse)
        for stage, ms in chained.timings_ms.items():
            self.timings_ms.setdefault(stage, []).append(ms)
        fused = chained.fused.stream.depth
        timer.done("chain")
        points = self.depth_to_points.convert(fused, intrinsics, POINTS["decimation"], POINTS["min_depth_m"],
                                              POINTS["max_depth_m"], POINTS["discontinuity_ratio"])
        cloud = xyz_to_pointcloud2(points.xyz, image.header)
        timer.done("points")
        messages = [(self.outputs["depth_info"], depth_info),
                    (self.outputs["depth"], array_to_image(chained.depth, "32FC1", image.header)),
                    (self.outputs["fused"], array_to_image(fused, "32FC1", image.header)),
                    (self.outputs["points"], cloud)]
        costmap = self.update_costmap(points.xyz, fused, intrinsics, frame, image.header)
        if costmap is not None:
            messages.append((self.outputs["costmap"], costmap))
        timer.done("costmap")
        return messages

    def sparse_lidar_depth(self, cloud_message, intrinsics) -> np.ndarray:
        """The paired LiDAR cloud projected into the image (float32 (H, W) metres, NaN = none)."""
        if cloud_message is None:
            return np.full((intrinsics.height, intrinsics.width), np.nan, np.float32)
        points = pointcloud2_to_xyz(from_cdr(cloud_message.data, POINTCLOUD_TYPE))
        return project_points(apply(self.extrinsics.camera_from_lidar, points), intrinsics,
                              FUSION["min_depth_m"], FUSION["max_depth_m"])

    def update_costmap(self, xyz_camera: np.ndarray, depth: np.ndarray, intrinsics, frame: BagFrame,
                       header: Header) -> OccupancyGrid | None:
        """Integrate the frame's cloud (camera frame) as costmap_node does (moved by the paired odometry,
        cleared along the rays of pixels without depth) and return the costmap when one is due."""
        base_from_camera = self.extrinsics.base_from_camera
        odometry_message = frame.partners.get("odom")
        if odometry_message is not None:
            odometry = from_cdr(odometry_message.data, ODOMETRY_TYPE)
            if odometry.child_frame_id == self.base_frame:
                self.costmap.move_to(pose_to_transform(odometry.pose.pose))
        clearing = apply(base_from_camera, clearing_ray_endpoints(
            depth, intrinsics, COSTMAP["clearing_decimation"], self.costmap.config.raytrace_max_range_m))
        self.costmap.update(apply(base_from_camera, xyz_camera), base_from_camera[:3, 3], frame.stamp_ns / 1e9,
                            clearing)
        self.unwritten_stamp = header.stamp
        if self.last_costmap_ns is not None and frame.stamp_ns - self.last_costmap_ns < self.costmap_period_ns:
            return None
        self.last_costmap_ns = frame.stamp_ns
        return self.costmap_message()

    def costmap_message(self) -> OccupancyGrid | None:
        """The costmap stamped like the newest cloud integrated since the last one; None when there is none."""
        if self.unwritten_stamp is None:
            return None
        geometry = self.costmap.geometry
        grid = occupancy_grid_msg(self.costmap.occupancy(), geometry.resolution_m, geometry.origin_xy_m,
                                  Header(stamp=self.unwritten_stamp, frame_id=self.base_frame))
        self.unwritten_stamp = None
        return grid


class _StageTimer:
    """Appends the milliseconds since the previous stage to ``timings_ms[stage]``."""

    def __init__(self, timings_ms: dict[str, list[float]]) -> None:
        self.timings_ms = timings_ms
        self.last = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings_ms.setdefault(stage, []).append((now - self.last) * 1e3)
        self.last = now


@dataclass(frozen=True)
class BagRun:
    """What ``process_bag`` did: frames read, frames written, seconds (wall and process CPU), outputs, and the
    milliseconds of every stage of every frame."""

    inputs: InputTopics
    outputs: dict[str, str]
    extrinsics_sources: dict[str, str]
    frames: int
    processed: int
    skipped: dict[str, int]
    """Why frames were not processed (as the nodes would drop them) -> how many."""
    seconds: float
    cpu_seconds: float
    stage_timings_ms: dict[str, list[float]]

    @property
    def stage_medians_ms(self) -> dict[str, float]:
        return {stage: statistics.median(values) for stage, values in self.stage_timings_ms.items()}

    @property
    def frames_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0.0 else float("nan")


def process_bag(in_path: str | Path, out_path: str | Path, spec: ModelSpec, image_topic: str | None = None,
                camera_info_topic: str | None = None, lidar_topic: str | None = None, odom_topic: str | None = None,
                storage: str = "mcap", base_frame: str = COSTMAP["base_frame"],
                lidar_pose_in_camera: list[float] | None = None, camera_pose_in_base: list[float] | None = None,
                temporal_consistency: bool = True, progress: bool = False,
                announce: Callable[[str], None] = lambda line: None) -> BagRun:
    """Run the pipeline over every frame of the bag at ``in_path`` and write a new bag at ``out_path``.

    ``announce`` gets the chosen topics and extrinsics before the model loads. A frame the nodes would drop (no
    camera_info yet, a message that does not convert) is skipped and counted in ``BagRun.skipped``. Raises
    BagError (bag problems) and ValueError (model options).
    """
    from tqdm import tqdm

    with BagReader(in_path) as reader:
        inputs = discover_topics(reader, image_topic, camera_info_topic, lidar_topic, odom_topic)
        partners = {"camera_info": Partner(inputs.camera_info, _ns(DEPTH["camera_info_tolerance_s"]), True)}
        if inputs.lidar:
            partners["lidar"] = Partner(inputs.lidar, _ns(FUSION["lidar_time_tolerance_s"]))
        if inputs.odom:
            partners["odom"] = Partner(inputs.odom, _ns(COSTMAP["pose_time_tolerance_s"]))
        first = next(reader.messages([inputs.image]), None)
        if first is None:
            raise BagError(f"{inputs.image} holds no messages")
        camera_frame = from_cdr(first.data, IMAGE_TYPE).header.frame_id
        lidar_frame = None
        if inputs.lidar:
            first_cloud = next(reader.messages([inputs.lidar]), None)
            lidar_frame = None if first_cloud is None else from_cdr(first_cloud.data, POINTCLOUD_TYPE).header.frame_id
        extrinsics = resolve_extrinsics(reader, camera_frame, lidar_frame, base_frame, lidar_pose_in_camera,
                                        camera_pose_in_base)
        announce(f"image {inputs.image}, camera_info {inputs.camera_info}, LiDAR {inputs.lidar or 'none'}, "
                 f"odometry {inputs.odom or 'none'}; lidar_pose_in_camera from "
                 f"{extrinsics.sources['lidar_pose_in_camera']}, camera_pose_in_base from "
                 f"{extrinsics.sources['camera_pose_in_base']}")
        estimator = DepthEstimator(spec, LOGGER)
        outputs = output_topics(inputs.namespace, DEPTH_TOPIC[estimator.kind])
        pipeline = BagPipeline(estimator, extrinsics, outputs, base_frame, temporal_consistency)
        frames = reader.message_count([inputs.image])
        processed, skipped = 0, {}
        with BagWriter(out_path, storage) as writer:
            for role, topic in outputs.items():
                msgtype = {"depth_info": CAMERA_INFO_TYPE, "points": POINTCLOUD_TYPE,
                           "costmap": "nav_msgs/msg/OccupancyGrid"}.get(role, IMAGE_TYPE)
                writer.add_topic(topic, msgtype, LATCHED_QOS if role == "costmap" else None)
            started, cpu_started = time.perf_counter(), time.process_time()
            last_log_time = 0
            for frame in tqdm(paired_frames(reader, inputs.image, partners), total=frames, unit="frame",
                              disable=not progress, file=sys.stderr, dynamic_ncols=True):
                try:
                    messages = pipeline.process(frame)
                except ConversionError as error:
                    skipped[str(error)] = skipped.get(str(error), 0) + 1
                    continue
                if not messages:
                    reason = f"no camera_info on {inputs.camera_info} yet"
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
                for topic, message in messages:
                    writer.write(topic, frame.image.log_time_ns, to_cdr(message))
                processed += 1
                last_log_time = frame.image.log_time_ns
            final = pipeline.costmap_message()
            if final is not None:
                writer.write(outputs["costmap"], last_log_time, to_cdr(final))
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return BagRun(inputs, outputs, extrinsics.sources, frames, processed, skipped, seconds, cpu_seconds,
                  pipeline.timings_ms)


def _ns(seconds: float) -> int:
    return round(seconds * 1e9)

