"""pointcloud_node: depth image + camera_info (+ colour image) -> sensor_msgs/PointCloud2.

Subscribes: depth/image (32FC1 metres or 16UC1 millimetres; remap it to e.g. depth/fused), depth/camera_info
(any resolution of the same view: it is scaled to the depth image), and image (any colour encoding, any
resolution of the same view) when use_color is true.
Publishes: points (x, y, z float32 metres, plus rgb when use_color) in the depth image's frame with its stamp,
/diagnostics. Works only while someone subscribes to points, and always on the newest depth image.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from sensor_msgs.msg import CameraInfo, Image, PointCloud2

from monodepth_ros.core.pointcloud.filters import remove_statistical_outliers, voxel_downsample
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints
from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import depth_image_to_metres, image_to_rgb
from monodepth_ros.ros.conversions.pointcloud2 import xyz_to_pointcloud2
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_PARAMETERS
from monodepth_ros.ros.runners.node_runner import run_node

COLOUR_IMAGE_WAIT_S = 0.1
"""How long a depth image waits for its colour image before it is skipped."""
COLOUR_IMAGE_HISTORY = 30
"""Colour images kept for pairing: about a second of a 30 Hz camera, longer than a depth model's latency."""

Converted = TypeVar("Converted")


def converted(topic: str, convert: Callable[..., Converted], message) -> Converted:
    """``convert(message)``, with the topic named in a ConversionError."""
    try:
        return convert(message)
    except ConversionError as error:
        raise ConversionError(f"{topic}: {error}") from error


class PointCloudNode(WorkerNode):
    """Unprojects the newest depth image into a point cloud, off the subscription callbacks."""

    def __init__(self, **kwargs) -> None:
        super().__init__("pointcloud_node", POINTCLOUD_NODE_PARAMETERS, "point cloud", **kwargs)

    def configure(self) -> None:
        """Create the unprojection, the output and the subscriptions (the lifecycle transition configure)."""
        self.depth_to_points = DepthToPoints()
        self.points_publisher = self.create_output_publisher(PointCloud2, "points", stream_output_qos())
        self.colour_images: StampedBuffer[Image] = StampedBuffer(COLOUR_IMAGE_HISTORY)
        self.last_point_count = 0
        self.last_timings_ms: dict[str, float] = {}
        inputs = MutuallyExclusiveCallbackGroup()
        reliability = self.params["reliability"]
        self.depth_subscription = AdaptiveSubscription(self, Image, "depth/image", self.submit, reliability,
                                                       callback_group=inputs)
        self.camera_info = CameraInfoInput(self, "depth/camera_info", reliability, self.problems,
                                           callback_group=inputs)
        self.image_subscription = None
        if self.params["use_color"]:
            self.image_subscription = AdaptiveSubscription(self, Image, "image", self.on_colour_image,
                                                           reliability, depth=5, callback_group=inputs)

    def on_colour_image(self, image: Image) -> None:
        self.colour_images.add(stamp_ns(image.header), image)

    def process(self, depth_message: Image) -> None:
        """Publish the cloud of one depth image (runs on the worker thread)."""
        min_depth_m, max_depth_m = self.params["min_depth_m"], self.params["max_depth_m"]
        paired = self.paired_inputs(depth_message)
        if paired is None:
            return
        info, colour_message = paired
        started = time.perf_counter()
        try:
            depth = converted(self.depth_subscription.topic, depth_image_to_metres, depth_message)
            intrinsics = converted(self.camera_info.topic, lambda message: camera_info_to_intrinsics(
                camera_info_for_image(message, depth_message.header, depth_message.width, depth_message.height)),
                info)
            rgb = None
            if colour_message is not None:
                rgb = converted(self.image_subscription.topic, image_to_rgb, colour_message)
        except ConversionError as error:
            self.problems.report("input", f"dropping input: {error}")
            return
        self.problems.resolve("input")
        decoded = time.perf_counter()
        points = self.depth_to_points.convert(depth, intrinsics, self.params["decimation"], min_depth_m,
                                              max_depth_m, self.params["discontinuity_ratio"])
        xyz = points.xyz
        colours = None if rgb is None else points.colours_from(rgb)
        unprojected = time.perf_counter()
        if self.params["voxel_size_m"] > 0.0:
            xyz, colours = voxel_downsample(xyz, colours, self.params["voxel_size_m"])
        if self.params["outlier_neighbours"] > 0:
            xyz, colours = remove_statistical_outliers(xyz, colours, self.params["outlier_neighbours"],
                                                       self.params["outlier_std_ratio"])
        filtered = time.perf_counter()
        self.points_publisher.publish(xyz_to_pointcloud2(xyz, depth_message.header, colours))
        done = time.perf_counter()
        self.last_point_count = len(xyz)
        self.last_timings_ms = {"decode": (decoded - started) * 1e3, "unproject": (unprojected - decoded) * 1e3,
                                "filter": (filtered - unprojected) * 1e3, "publish": (done - filtered) * 1e3,
                                "total": (done - started) * 1e3}
        self.record_output(stamp_ns(depth_message.header))

    def paired_inputs(self, depth_message: Image) -> tuple[CameraInfo, Image | None] | None:
        """The camera_info and (with use_color) colour image stamped like ``depth_message``; None when one is
        missing, which is reported."""
        tolerance_ns = int(self.params["camera_info_tolerance_s"] * 1e9)
        stamp = stamp_ns(depth_message.header)
        info = self.camera_info.for_frame(stamp, self.params["camera_info_tolerance_s"], "depth images")
        if info is None:
            return None
        if self.image_subscription is None:
            return info, None
        colour_message = self.colour_images.match(stamp, tolerance_ns, wait_s=COLOUR_IMAGE_WAIT_S)
        if colour_message is None:
            self.problems.report("image", f"no image within {tolerance_ns / 1e9:.3f} s of the depth stamp on "
                                 f"{self.image_subscription.topic}; depth images are skipped until one arrives "
                                 "(use_color is true: is the colour image published and remapped?)", "warning")
            return None
        self.problems.resolve("image")
        return info, colour_message

    def diagnostic_values(self) -> dict[str, object]:
        values = {"points": self.last_point_count,
                  "depth_reliability": self.depth_subscription.policy.name.lower()}
        values.update({f"{stage}_ms": f"{ms:.2f}" for stage, ms in self.last_timings_ms.items()})
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(PointCloudNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
