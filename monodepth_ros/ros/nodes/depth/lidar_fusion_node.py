"""lidar_fusion_node: monocular depth + sparse LiDAR -> scale-corrected metric depth.

Subscribes: depth/image (32FC1 metres, metric models) and depth/relative_inverse (relative models),
depth/camera_info, points_lidar (sensor_msgs/PointCloud2, any frame; not with scale_source ground_plane), image
(the camera image the depth was made from: the temporal stabiliser's optical flow and the ground plane's floor
appearance).
The scale comes from LiDAR, from the ground plane at the camera's known height, or from LiDAR with the ground plane
as fallback (scale_source; core/fusion/scale_source.py).
Publishes: depth/fused (32FC1 metres, NaN invalid, header of the depth image), depth/fused_confidence (32FC1,
0..1), /diagnostics. The per-camera state (scale source, then the stabiliser) is core/runtime/depth_chain's
FusedStream.
"""
from __future__ import annotations

import cv2
import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from sensor_msgs.msg import Image, PointCloud2

from monodepth_ros.core.camera.projection import project_points
from monodepth_ros.core.camera.transforms import apply, transform_from_pose7
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.fusion.config import (
    FusionConfig,
    GlobalFitConfig,
    GroundPlaneConfig,
    LocalCorrectionConfig,
    ScaleSmootherConfig,
)
from monodepth_ros.core.fusion.scale_fusion import FusionResult, FusionStatus
from monodepth_ros.core.runtime.depth_chain import FusedStream
from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.inputs.cloud_input import cloud_xyz
from monodepth_ros.ros.common.inputs.extrinsics import ExtrinsicsSource, FrameNotAvailable
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.shared_parameters import stabiliser_config_from
from monodepth_ros.ros.common.topics import DEPTH_TOPIC
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres, image_to_array, image_to_rgb
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_PARAMETERS
from monodepth_ros.ros.runners.node_runner import run_node

LIDAR_WAIT_S = 0.05
"""How long a depth image waits for a LiDAR cloud of its time that is still on its way."""
IMAGE_WAIT_S = 0.05
"""How long a depth image waits for its camera image (same stamp) for the stabiliser, once images arrive."""


class LidarFusionNode(WorkerNode):
    """Fuses the newest depth image with the LiDAR cloud nearest in time."""

    def __init__(self, **kwargs) -> None:
        super().__init__("lidar_fusion_node", FUSION_NODE_PARAMETERS, "lidar scale fusion", **kwargs)

    def configure(self) -> None:
        """Set up the fusion, create the output and subscribe (the lifecycle transition configure)."""
        min_points = self.params["min_points"]
        self.stream = FusedStream(FusionConfig(
            global_fit=GlobalFitConfig(min_points=min_points),
            local_correction=LocalCorrectionConfig(strength=self.params["local_strength"],
                                                   ground=GroundPlaneConfig(min_points=min_points)),
            scale_smoother=ScaleSmootherConfig(time_constant_frames=self.params["temporal_time_constant_frames"])),
            stabiliser_config_from(self.params), scale_source=self.params["scale_source"])
        self.extrinsics = ExtrinsicsSource(self, {
            (self.params["camera_frame"], self.params["lidar_frame"]):
                transform_from_pose7(self.params["lidar_pose_in_camera"]),
            (self.params["base_frame"], self.params["camera_frame"]):
                transform_from_pose7(self.params["camera_pose_in_base"])})
        self.fused_publisher = self.create_output_publisher(Image, "depth/fused", stream_output_qos())
        self.confidence_publisher = self.create_output_publisher(Image, "depth/fused_confidence",
                                                                 stream_output_qos())
        self.clouds: StampedBuffer[PointCloud2] = StampedBuffer(capacity=10)
        self.images: StampedBuffer[Image] = StampedBuffer(capacity=10)
        self.last_result: FusionResult | None = None
        self.last_reset = ""
        inputs = MutuallyExclusiveCallbackGroup()
        reliability = self.params["reliability"]
        self.depth_subscriptions = [
            AdaptiveSubscription(self, Image, topic, lambda msg, kind=kind: self.submit((msg, kind)),
                                 reliability, callback_group=inputs)
            for kind, topic in DEPTH_TOPIC.items()]
        self.camera_info = CameraInfoInput(self, "depth/camera_info", reliability, self.problems,
                                           callback_group=inputs)
        self.cloud_subscription = None if not self.stream.fusion.uses_lidar else AdaptiveSubscription(
            self, PointCloud2, "points_lidar", lambda cloud: self.clouds.add(stamp_ns(cloud.header), cloud),
            reliability, depth=5, callback_group=inputs)
        self.image_subscription = AdaptiveSubscription(
            self, Image, "image", lambda image: self.images.add(stamp_ns(image.header), image), reliability,
            depth=5, callback_group=inputs)
        via = "tf2" if self.extrinsics.uses_tf else "the lidar_pose_in_camera parameter (tf2_ros not installed)"
        self.get_logger().info(f"LiDAR extrinsics from {via}")

    def process(self, item: tuple[Image, DepthKind]) -> None:
        """Fuse one depth image and publish depth/fused (runs on the worker thread)."""
        depth_msg, kind = item
        stamp = stamp_ns(depth_msg.header)
        info = self.camera_info.for_frame(stamp, self.params["camera_info_tolerance_s"], "depth images")
        if info is None:
            return
        try:
            values = (depth_image_to_metres(depth_msg) if kind is DepthKind.METRIC
                      else np.array(image_to_array(depth_msg), dtype=np.float32))
            intrinsics = camera_info_to_intrinsics(
                camera_info_for_image(info, depth_msg.header, depth_msg.width, depth_msg.height))
        except ConversionError as error:
            self.problems.report("input", f"dropping depth input: {error}")
            return
        self.problems.resolve("input")
        sparse = self.sparse_lidar_depth(depth_msg, intrinsics) if self.stream.fusion.uses_lidar else None
        base_from_camera, pose_problem = self.camera_pose(depth_msg)
        self.stream.stabilised.configure(stabiliser_config_from(self.params))
        self.stream.depth_range_m = (self.params["min_depth_m"], self.params["max_depth_m"])
        rgb = self.camera_image(depth_msg) if self.stream.stabilised.enabled or self.stream.fusion.uses_ground else None
        fused = self.stream.update(values, kind, sparse, rgb, intrinsics, stamp / 1e9, base_from_camera, pose_problem)
        result = self.last_result = fused.result
        if result.status not in (FusionStatus.FUSED, FusionStatus.GROUND_PLANE):
            self.problems.report("fusion", f"not fusing: {result.status.value}: {result.reason}", "warning")
        else:
            self.problems.resolve("fusion")
        if fused.stream.reset_reason:
            self.last_reset = fused.stream.reset_reason
            self.get_logger().info(f"temporal stabiliser reset: {fused.stream.reset_reason}")
        self.fused_publisher.publish(array_to_image(fused.stream.depth, "32FC1", depth_msg.header))
        if fused.stream.confidence is not None and self.demand.has_subscribers(self.confidence_publisher):
            self.confidence_publisher.publish(array_to_image(fused.stream.confidence, "32FC1", depth_msg.header))
        self.record_output(stamp)

    def camera_pose(self, depth_msg: Image) -> tuple[np.ndarray | None, str]:
        """base_from_camera (4x4) for the ground-plane scale, or None and why (also None without that source)."""
        if not self.stream.fusion.uses_ground:
            return None, ""
        try:
            return self.extrinsics.lookup(self.params["base_frame"], depth_msg.header.frame_id,
                                          depth_msg.header.stamp), ""
        except FrameNotAvailable as error:
            return None, str(error)

    def camera_image(self, depth_msg: Image):
        """uint8 (H, W, 3) RGB of the camera image with the depth image's stamp, resized to the depth image; None
        (reported once: the fused depth is then not stabilised, and the ground plane finds the floor by geometry
        alone) when there is none or it cannot be decoded."""
        image = self.images.match(stamp_ns(depth_msg.header), int(self.params["image_time_tolerance_s"] * 1e9),
                                  wait_s=IMAGE_WAIT_S if len(self.images) else 0.0)
        if image is None:
            self.problems.report("camera image missing",
                                 f"no camera image with the depth stamp on {self.image_subscription.topic}: "
                                 "depth/fused is published without temporal stabilisation (remap image to the "
                                 "image depth_node reads)", "warning")
            return None
        try:
            rgb = image_to_rgb(image)
        except ConversionError as error:
            self.problems.report("camera image decode",
                                 f"cannot stabilise with {self.image_subscription.topic}: {error}")
            return None
        self.problems.resolve("camera image")
        if rgb.shape[:2] != (depth_msg.height, depth_msg.width):
            rgb = cv2.resize(rgb, (depth_msg.width, depth_msg.height), interpolation=cv2.INTER_AREA)
        return rgb

    def sparse_lidar_depth(self, depth_msg: Image, intrinsics) -> np.ndarray:
        """LiDAR returns projected into the depth image (float32 (H, W) metres, NaN = none)."""
        empty = np.full((intrinsics.height, intrinsics.width), np.nan, np.float32)
        cloud = self.clouds.match(stamp_ns(depth_msg.header), int(self.params["lidar_time_tolerance_s"] * 1e9),
                                  wait_s=LIDAR_WAIT_S)
        if cloud is None:
            self.problems.report("lidar", f"no LiDAR cloud on {self.cloud_subscription.topic} within "
                                 f"{self.params['lidar_time_tolerance_s']} s of the depth stamp", "warning")
            return empty
        self.problems.resolve("lidar")
        try:
            camera_from_lidar = self.extrinsics.lookup(depth_msg.header.frame_id, cloud.header.frame_id,
                                                       depth_msg.header.stamp)
            points = cloud_xyz(cloud, self.problems, self.cloud_subscription.topic)
        except (FrameNotAvailable, ConversionError) as error:
            self.problems.report("cloud", f"ignoring LiDAR cloud: {error}")
            return empty
        self.problems.resolve("cloud")
        return project_points(apply(camera_from_lidar, points), intrinsics,
                              self.params["min_depth_m"], self.params["max_depth_m"])

    def diagnostic_values(self) -> dict[str, object]:
        values = {"extrinsics": "tf2" if self.extrinsics.uses_tf else "parameters",
                  "temporal_consistency": "on" if self.stream.stabilised.enabled else "off",
                  "stabiliser_reset": self.last_reset, "scale_source": self.stream.fusion.source}
        result = self.last_result
        if result is not None:
            values.update({"status": result.status.value, "status_reason": result.reason,
                           "scale": f"{result.scale:.4f}",
                           "shift": f"{result.shift:.4f}", "inliers": result.inliers,
                           "points_used": result.points_used, "residual": f"{result.residual:.4f}",
                           "ground_confidence": f"{result.confidence:.3f}"})
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(LidarFusionNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
