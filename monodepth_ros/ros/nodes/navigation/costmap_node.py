"""costmap_node: point clouds -> a rolling obstacle costmap (nav_msgs/OccupancyGrid) for navigation stacks.

Subscribes: points (sensor_msgs/PointCloud2 with x, y, z, any frame), odom (nav_msgs/Odometry of base_frame in
world_frame, used when tf2 has no pose), depth/camera_info, the optional depth/confidence (32FC1, 0..1: each point
weighs the confidence of the pixel it projects to) and, with clear_from_depth, depth/image.
Publishes: costmap (nav_msgs/OccupancyGrid, latched: reliable, transient local, depth 1, as Nav2 publishes its
costmaps) at most publish_rate_hz and only after new clouds, and /diagnostics.

The costmap is in base_frame, centred on the robot: origin (-size_m/2, -size_m/2), axes those of base_frame, row
index along y, stamped with the newest cloud integrated. Values are Nav2's translation of its costs: -1 unknown,
0 free, 1..98 inflated, 99 inscribed, 100 lethal (see monodepth_ros/core/costmap.py for the model).

Clouds are transformed into base_frame with tf2 when it is importable, else with camera_pose_in_base (clouds in
camera_frame); clouds already in base_frame are used as they are. Rays start at the origin of the cloud's frame, or
of camera_frame for clouds in base_frame.

Motion: the pose of base_frame in world_frame at the cloud's stamp, from tf2 or else the odom topic, moves the
remembered evidence with the robot. While no pose is available the window holds still where the last pose put it
(at the base when there never was one): evidence is kept, not reset, but not shifted either, so the map is right
only while the robot stands still; evidence_half_life_s makes stale evidence fade. world_frame '' chooses this on
purpose (a robot without odometry).
"""
from __future__ import annotations

import math
import threading
import time

import numpy as np
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.projection import sample_at_points
from monodepth_ros.core.camera.transforms import apply, transform_from_pose7
from monodepth_ros.core.costmap.cost_values import OCCUPANCY_LETHAL
from monodepth_ros.core.costmap.raytrace import clearing_ray_endpoints
from monodepth_ros.core.costmap.rolling_costmap import CostmapUpdate, RollingCostmap
from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.cloud_input import cloud_xyz
from monodepth_ros.ros.common.inputs.extrinsics import ExtrinsicsSource, FrameNotAvailable
from monodepth_ros.ros.common.qos import latched_output_qos
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.geometry import pose_to_transform
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import depth_image_to_metres, image_to_array
from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_msg
from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_PARAMETERS, costmap_config_from
from monodepth_ros.ros.runners.node_runner import run_node

ODOMETRY_HISTORY = 100
"""Odometry messages kept for pairing with clouds: a few seconds at common odometry rates."""
DEPTH_HISTORY = 5
CONFIDENCE_WAIT_S = 0.05
"""Once confidence images have arrived, how long a cloud waits for the one of its stamp still on its way."""


class CostmapNode(WorkerNode):
    """Integrates every cloud it can keep up with into a RollingCostmap and publishes the inflated grid."""

    def __init__(self, **kwargs) -> None:
        super().__init__("costmap_node", COSTMAP_NODE_PARAMETERS, "costmap", **kwargs)

    def configure(self) -> None:
        """Create the costmap, its publisher and timer, and subscribe (the lifecycle transition configure)."""
        self.costmap = RollingCostmap(costmap_config_from(self.params))
        self.costmap_lock = threading.Lock()
        self.base_frame = self.params["base_frame"]
        self.world_frame = self.params["world_frame"]
        self.camera_frame = self.params["camera_frame"]
        self.extrinsics = ExtrinsicsSource(self, {
            (self.base_frame, self.camera_frame): transform_from_pose7(self.params["camera_pose_in_base"])})
        self.costmap_publisher = self.create_lifecycle_publisher(OccupancyGrid, "costmap", latched_output_qos())
        self.odometry: StampedBuffer[Odometry] = StampedBuffer(ODOMETRY_HISTORY)
        self.depth_images: StampedBuffer[Image] = StampedBuffer(DEPTH_HISTORY)
        self.camera_infos: StampedBuffer[CameraInfo] = StampedBuffer(DEPTH_HISTORY)
        self.confidences: StampedBuffer[Image] = StampedBuffer(DEPTH_HISTORY)
        self.confidence_source = "none"
        self.last_update: CostmapUpdate | None = None
        self.last_update_ms = math.nan
        self.newest_cloud_stamp = None
        self.unpublished_update = False
        self.pose_source = "none"
        self.lethal_cells = 0
        inputs = MutuallyExclusiveCallbackGroup()
        reliability = self.params["reliability"]
        self.cloud_subscription = AdaptiveSubscription(self, PointCloud2, "points", self.worker.submit, reliability,
                                                       callback_group=inputs)
        self.odom_subscription = None
        if self.world_frame:
            self.odom_subscription = AdaptiveSubscription(
                self, Odometry, "odom", lambda odometry: self.odometry.add(stamp_ns(odometry.header), odometry),
                reliability, depth=10, callback_group=inputs)
        self.depth_subscription = None
        if self.params["clear_from_depth"]:
            self.depth_subscription = AdaptiveSubscription(
                self, Image, "depth/image", lambda image: self.depth_images.add(stamp_ns(image.header), image),
                reliability, depth=2, callback_group=inputs)
        self.info_subscription = AdaptiveSubscription(
            self, CameraInfo, "depth/camera_info", lambda info: self.camera_infos.add(stamp_ns(info.header), info),
            reliability, depth=5, callback_group=inputs)
        self.confidence_subscription = AdaptiveSubscription(
            self, Image, "depth/confidence", lambda image: self.confidences.add(stamp_ns(image.header), image),
            reliability, depth=2, callback_group=inputs)
        self.create_timer(1.0 / self.params["publish_rate_hz"], self.publish_costmap)
        via = "tf2" if self.extrinsics.uses_tf else "the camera_pose_in_base parameter and the odom topic (no tf2_ros)"
        self.get_logger().info(f"costmap in {self.base_frame}, {self.costmap.geometry.cells}^2 cells of "
                               f"{self.costmap.config.resolution_m} m; transforms from {via}")

    def process(self, cloud: PointCloud2) -> None:
        """Integrate one cloud (runs on the worker thread)."""
        started = time.perf_counter()
        stamp = cloud.header.stamp
        cloud_frame = cloud.header.frame_id
        sensor_frame = self.camera_frame if cloud_frame == self.base_frame else cloud_frame
        try:
            points = cloud_xyz(cloud, self.problems, self.cloud_subscription.topic)
            base_from_cloud = self.extrinsics.lookup(self.base_frame, cloud_frame, stamp)
            base_from_sensor = self.extrinsics.lookup(self.base_frame, sensor_frame, stamp)
        except (ConversionError, FrameNotAvailable) as error:
            self.problems.report("cloud", f"ignoring cloud on {self.cloud_subscription.topic}: {error}")
            return
        self.problems.resolve("cloud")
        confidence = self.matched_confidence(stamp_ns(cloud.header))
        point_confidence = None if confidence is None else self.point_confidence(confidence, cloud, points)
        clearing_endpoints = self.clearing_endpoints(cloud, sensor_frame, base_from_sensor, confidence)
        world_from_base = self.base_pose(cloud)
        with self.costmap_lock:
            if world_from_base is not None:
                self.costmap.move_to(world_from_base)
            update = self.costmap.update(apply(base_from_cloud, points), base_from_sensor[:3, 3],
                                         stamp_ns(cloud.header) / 1e9, clearing_endpoints, point_confidence,
                                         now_s=self.get_clock().now().nanoseconds / 1e9)
            self.newest_cloud_stamp = stamp
            self.unpublished_update = True
        if update.points_used == 0:
            self.problems.report("empty cloud", f"clouds on {self.cloud_subscription.topic} have no finite points "
                                 f"({update.points_dropped} non-finite): they mark nothing", "warning")
        else:
            self.problems.resolve("empty cloud")
        self.last_update = update
        self.last_update_ms = (time.perf_counter() - started) * 1e3
        self.record_output(stamp_ns(cloud.header))

    def base_pose(self, cloud: PointCloud2) -> np.ndarray | None:
        """world_from_base at the cloud's stamp from tf2, else from the odom topic; None (reported) when neither
        has it or world_frame is empty."""
        if not self.world_frame:
            return None
        if self.extrinsics.uses_tf:
            try:
                pose = self.extrinsics.lookup(self.world_frame, self.base_frame, cloud.header.stamp)
                self.pose_source = "tf2"
                self.problems.resolve("pose")
                return pose
            except FrameNotAvailable:
                pass
        tolerance_s = self.params["pose_time_tolerance_s"]
        odometry = self.odometry.match(stamp_ns(cloud.header), int(tolerance_s * 1e9))
        if odometry is None:
            self.pose_source = "none"
            self.problems.report("pose", f"no pose of {self.base_frame} in {self.world_frame} within {tolerance_s} s "
                                 f"of the cloud stamp (tf2 or {self.odom_subscription.topic}): the window holds "
                                 "still; evidence is kept but not shifted as the robot moves", "warning")
            return None
        frames = (odometry.header.frame_id, odometry.child_frame_id)
        if frames != (self.world_frame, self.base_frame):
            self.problems.report("pose:frames", f"{self.odom_subscription.topic} carries the pose of '{frames[1]}' "
                                 f"in '{frames[0]}', expected '{self.base_frame}' in '{self.world_frame}'; set "
                                 "base_frame and world_frame to match it")
            return None
        try:
            world_from_base = pose_to_transform(odometry.pose.pose)
        except ValueError as error:
            self.problems.report("pose:invalid", f"ignoring odometry on {self.odom_subscription.topic}: {error}")
            return None
        self.pose_source = "odometry"
        self.problems.resolve("pose")
        return world_from_base

    def matched_confidence(self, cloud_stamp_ns: int) -> tuple[np.ndarray, Header, Intrinsics] | None:
        """The depth/confidence image stamped like the cloud: float32 (H, W) 0..1, its header and intrinsics;
        None when none arrives (the costmap then weighs every point 1) or it cannot be used (reported)."""
        tolerance_ns = int(self.params["depth_time_tolerance_s"] * 1e9)
        message = self.confidences.match(cloud_stamp_ns, tolerance_ns,
                                         wait_s=CONFIDENCE_WAIT_S if len(self.confidences) else 0.0)
        if message is None:
            self.confidence_source = "none"
            return None
        info = self.camera_infos.match(stamp_ns(message.header), tolerance_ns)
        try:
            if info is None:
                raise ConversionError(f"no camera_info on {self.info_subscription.topic} near its stamp")
            values = np.asarray(image_to_array(message), dtype=np.float32)
            if values.ndim != 2:
                raise ConversionError(f"confidence must be a single-channel image, got {message.encoding}")
            intrinsics = camera_info_to_intrinsics(camera_info_for_image(info, message.header, message.width,
                                                                         message.height))
        except ConversionError as error:
            self.problems.report("confidence", f"ignoring {self.confidence_subscription.topic}: {error}")
            self.confidence_source = "none"
            return None
        self.problems.resolve("confidence")
        self.confidence_source = "topic"
        return values, message.header, intrinsics

    def point_confidence(self, confidence: tuple[np.ndarray, Header, Intrinsics], cloud: PointCloud2,
                         points: np.ndarray) -> np.ndarray | None:
        """float32 (N,) confidence of the pixel each cloud point projects to (1 outside the image)."""
        values, header, intrinsics = confidence
        try:
            camera_from_cloud = self.extrinsics.lookup(header.frame_id, cloud.header.frame_id, cloud.header.stamp)
        except FrameNotAvailable as error:
            self.problems.report("confidence", f"ignoring {self.confidence_subscription.topic}: {error}")
            return None
        return sample_at_points(values, apply(camera_from_cloud, points), intrinsics, outside=1.0)

    def clearing_endpoints(self, cloud: PointCloud2, sensor_frame: str, base_from_sensor: np.ndarray,
                           confidence: tuple[np.ndarray, Header, Intrinsics] | None = None) -> np.ndarray | None:
        """Ends (base frame) of the rays of invalid or out-of-range pixels of the depth image stamped like the
        cloud, without the pixels whose ``confidence`` (from matched_confidence) is below min_confidence; None
        (reported) when depth clearing is off or that image cannot be used."""
        if self.depth_subscription is None:
            return None
        tolerance_ns = int(self.params["depth_time_tolerance_s"] * 1e9)
        depth_message = self.depth_images.match(stamp_ns(cloud.header), tolerance_ns)
        info = None if depth_message is None else self.camera_infos.match(stamp_ns(depth_message.header),
                                                                          tolerance_ns)
        if info is None:
            self.problems.report("depth:missing", f"no depth image and camera_info on "
                                 f"{self.depth_subscription.topic} and {self.info_subscription.topic} near the "
                                 "cloud stamp: clouds are integrated without clearing along pixels that have no "
                                 "depth (set clear_from_depth false if there is no such image)", "warning")
            return None
        if depth_message.header.frame_id != sensor_frame:
            self.problems.report("depth:frame", f"depth image frame '{depth_message.header.frame_id}' is not the "
                                 f"cloud's sensor frame '{sensor_frame}': no clearing along pixels without depth",
                                 "warning")
            return None
        try:
            depth = depth_image_to_metres(depth_message)
            intrinsics = camera_info_to_intrinsics(
                camera_info_for_image(info, depth_message.header, depth_message.width, depth_message.height))
        except ConversionError as error:
            self.problems.report("depth:convert", f"no clearing from {self.depth_subscription.topic}: {error}")
            return None
        self.problems.resolve("depth:")
        confidence_values = None
        if confidence is not None and confidence[0].shape == depth.shape \
                and confidence[1].frame_id == depth_message.header.frame_id:
            confidence_values = confidence[0]
        endpoints = clearing_ray_endpoints(depth, intrinsics, self.params["clearing_decimation"],
                                           self.costmap.config.raytrace_max_range_m, confidence_values,
                                           self.costmap.config.min_confidence, self.params["clearing_near_guard_m"])
        return apply(base_from_sensor, endpoints)

    def publish_costmap(self) -> None:
        with self.costmap_lock:
            if not self.unpublished_update:
                return
            self.unpublished_update = False
            occupancy = self.costmap.occupancy()
            stamp = self.newest_cloud_stamp
        geometry = self.costmap.geometry
        self.lethal_cells = int(np.count_nonzero(occupancy == OCCUPANCY_LETHAL))
        self.costmap_publisher.publish(occupancy_grid_msg(occupancy, geometry.resolution_m, geometry.origin_xy_m,
                                                          Header(stamp=stamp, frame_id=self.base_frame)))

    def diagnostic_values(self) -> dict[str, object]:
        values = {"update_ms": f"{self.last_update_ms:.2f}", "lethal_cells": self.lethal_cells,
                  "pose_source": self.pose_source, "extrinsics": "tf2" if self.extrinsics.uses_tf else "parameters",
                  "confidence": self.confidence_source}
        update = self.last_update
        if update is not None:
            values.update({"points": update.points_used, "points_non_finite": update.points_dropped,
                           "obstacle_points": update.obstacle_points, "ground_points": update.ground_points,
                           "unreliable_points": update.unreliable_points,
                           "clearing_rays": update.clearing_rays, "hit_cells": update.hit_cells,
                           "missed_cells": update.missed_cells,
                           "ground_plane": "none" if update.ground_plane is None
                           else " ".join(f"{value:.3f}" for value in update.ground_plane)})
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(CostmapNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
