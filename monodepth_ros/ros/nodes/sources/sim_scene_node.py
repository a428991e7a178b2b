"""sim_scene_node: a synthetic robot with a camera and a LiDAR driving through a procedural scene.

Publishes, every 1 / rate_hz seconds and all with the same stamp: image_raw (rgb8), camera_info (K and P),
depth/ground_truth (32FC1 z-depth in metres, NaN = no hit) in the camera optical frame, points_lidar (PointCloud2
x, y, z in the LiDAR frame) and odom (nav_msgs/Odometry of base_link in the world frame). The camera is rendered
only while one of its topics has a subscriber, the LiDAR only while points_lidar has one.
Extrinsics: the read-only parameters camera_pose_in_base and lidar_pose_in_base
([x, y, z, qx, qy, qz, qw] in base_link);
with tf2_ros installed also static TFs base -> camera, base -> lidar and a dynamic TF world -> base.
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import pose7_from_transform
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.ros.common.parameters import ParameterTable
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.geometry import pose7_to_pose, pose7_to_transform_stamped
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.conversions.pointcloud2 import xyz_to_pointcloud2
from monodepth_ros.ros.nodes.sources.sim_scene_params import SIM_SCENE_NODE_PARAMETERS, sim_scene_config_from
from monodepth_ros.ros.runners.node_runner import run_node

try:
    from tf2_ros import StaticTransformBroadcaster, TransformBroadcaster
except ImportError:
    StaticTransformBroadcaster = TransformBroadcaster = None

FRAME_DURATION_WINDOW = 20
"""Frames whose median duration decides whether rendering keeps up with rate_hz."""
SLOW_RESOLVED_FRACTION = 0.8
"""A slow-frame warning ends when the median duration drops below this fraction of the period."""


class SimSceneNode(Node):
    """Renders and publishes one frame of every sensor per timer tick."""

    def __init__(self, **kwargs) -> None:
        super().__init__("sim_scene_node", **kwargs)
        self.params = ParameterTable(self, SIM_SCENE_NODE_PARAMETERS)
        self.problems = ProblemLog(self.get_logger())
        config = sim_scene_config_from(self.params)
        self.scene = SimScene(config)
        self.lidar_rng = np.random.default_rng(config.seed)
        prefix = self.params["frame_prefix"]
        self.world_frame, self.base_frame, self.camera_frame, self.lidar_frame = (
            prefix + self.params[name] for name in ("world_frame", "base_frame", "camera_frame", "lidar_frame"))
        self.image_publisher = self.create_publisher(Image, "image_raw", stream_output_qos())
        self.info_publisher = self.create_publisher(CameraInfo, "camera_info", stream_output_qos())
        self.depth_publisher = self.create_publisher(Image, "depth/ground_truth", stream_output_qos())
        self.lidar_publisher = self.create_publisher(PointCloud2, "points_lidar", stream_output_qos())
        self.odom_publisher = self.create_publisher(Odometry, "odom", stream_output_qos(depth=10))
        self.static_broadcaster, self.tf_broadcaster = self.start_tf(config)
        self.period_s = 1.0 / self.params["rate_hz"]
        self.frame_durations_s: deque[float] = deque(maxlen=FRAME_DURATION_WINDOW)
        self.start_ns = self.get_clock().now().nanoseconds
        self.create_timer(self.period_s, self.publish_frame)
        self.get_logger().info(
            f"{config.environment} scene seed {config.seed}: {len(self.scene.obstacles)} obstacles, "
            f"camera {config.image_width}x{config.image_height} fov {config.fov_deg} deg, LiDAR "
            f"{config.lidar_beams} beams; extrinsics [x, y, z, qx, qy, qz, qw] in {self.base_frame}: "
            f"{self.camera_frame} {list(config.camera_pose_in_base)}, "
            f"{self.lidar_frame} {list(config.lidar_pose_in_base)}")

    def start_tf(self, config: SimSceneConfig) -> tuple[StaticTransformBroadcaster | None,
                                                        TransformBroadcaster | None]:
        """Sends the static base -> camera and base -> lidar TFs; returns (static, dynamic) broadcasters."""
        if TransformBroadcaster is None:
            self.get_logger().info("tf2_ros is not installed: no TF; extrinsics are the read-only parameters "
                                   "camera_pose_in_base and lidar_pose_in_base, the base pose is on odom")
            return None, None
        stamp = self.get_clock().now().to_msg()
        static_broadcaster = StaticTransformBroadcaster(self)
        static_broadcaster.sendTransform([
            pose7_to_transform_stamped(list(config.camera_pose_in_base), self.base_frame, self.camera_frame, stamp),
            pose7_to_transform_stamped(list(config.lidar_pose_in_base), self.base_frame, self.lidar_frame, stamp)])
        return static_broadcaster, TransformBroadcaster(self)

    def publish_frame(self) -> None:
        """Odometry (and TF) every tick; camera and LiDAR data when someone subscribes to them."""
        started = time.perf_counter()
        now = self.get_clock().now()
        t_s = self.params["start_time_s"] + (now.nanoseconds - self.start_ns) / 1e9
        stamp = now.to_msg()
        self.scene.set_time(t_s)
        world_from_base = self.scene.base_pose(t_s)
        if any(publisher.get_subscription_count() > 0 for publisher in
               (self.image_publisher, self.info_publisher, self.depth_publisher)):
            rgb, depth = self.scene.render_camera(world_from_base)
            camera_header = Header(stamp=stamp, frame_id=self.camera_frame)
            self.image_publisher.publish(array_to_image(rgb, "rgb8", camera_header))
            intrinsics = self.scene.intrinsics
            self.info_publisher.publish(camera_info_from_matrix(intrinsics.matrix, intrinsics.width,
                                                                intrinsics.height, camera_header))
            self.depth_publisher.publish(array_to_image(depth, "32FC1", camera_header))
        if self.params["publish_lidar"] and self.lidar_publisher.get_subscription_count() > 0:
            points = self.scene.scan_lidar(world_from_base, self.lidar_rng)
            self.lidar_publisher.publish(xyz_to_pointcloud2(points, Header(stamp=stamp, frame_id=self.lidar_frame)))
        base_pose7 = pose7_from_transform(world_from_base)
        self.odom_publisher.publish(self.odometry(base_pose7, t_s, stamp))
        if self.tf_broadcaster is not None:
            self.tf_broadcaster.sendTransform(
                pose7_to_transform_stamped(base_pose7, self.world_frame, self.base_frame, stamp))
        self.frame_durations_s.append(time.perf_counter() - started)
        typical_s = float(np.median(self.frame_durations_s))
        if typical_s > self.period_s:
            self.problems.report("slow", f"a frame takes {typical_s * 1e3:.0f} ms (median), longer than the period "
                                 f"1 / rate_hz = {self.period_s * 1e3:.0f} ms: frames come late; lower rate_hz or "
                                 "the image size", "warning")
        elif typical_s < SLOW_RESOLVED_FRACTION * self.period_s:
            self.problems.resolve("slow")

    def odometry(self, base_pose7: list[float], t_s: float, stamp) -> Odometry:
        """Ground-truth pose of the base in the world frame and its velocity in the base frame."""
        odometry = Odometry(header=Header(stamp=stamp, frame_id=self.world_frame), child_frame_id=self.base_frame)
        odometry.pose.pose = pose7_to_pose(base_pose7)
        forward_mps, yaw_rate_radps = self.scene.base_velocity(t_s)
        odometry.twist.twist.linear.x = forward_mps
        odometry.twist.twist.angular.z = yaw_rate_radps
        return odometry


def main(args: list[str] | None = None) -> int:
    return run_node(SimSceneNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
