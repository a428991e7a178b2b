"""depth_node: image + camera_info -> metric depth image (REP 118).

Subscribes: image (sensor_msgs/Image), camera_info (sensor_msgs/CameraInfo).
Publishes: depth/image (32FC1 metres, NaN invalid) for metric models, depth/relative_inverse (32FC1,
unitless, larger = nearer) for relative models, depth/camera_info, depth/confidence (32FC1 0..1), depth/colored
(rgb8), /diagnostics. With temporal_consistency the depth is stabilised over time (core/runtime/depth_chain's
StabilisedStream: the per-camera state) and a camera_info change starts the stabiliser afresh.
"""
from __future__ import annotations

import time

import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from sensor_msgs.msg import CameraInfo, Image

from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.runtime.depth_chain import StabilisedStream
from monodepth_ros.core.viz.colorize import colorize_depth
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.diagnostics.logging_bridge import python_logger_for
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.shared_parameters import stabiliser_config_from
from monodepth_ros.ros.common.topics import DEPTH_TOPIC
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, image_to_rgb
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS, model_spec_from
from monodepth_ros.ros.runners.node_runner import run_node


class DepthNode(WorkerNode):
    """Runs the depth model on the newest image, off the subscription callbacks."""

    def __init__(self, **kwargs) -> None:
        super().__init__("depth_node", DEPTH_NODE_PARAMETERS, "depth estimation", **kwargs)

    def configure(self) -> None:
        """Load the model, create the outputs and subscribe (the lifecycle transition configure)."""
        self.estimator = DepthEstimator(model_spec_from(self.params), python_logger_for(self))
        self.get_logger().info(f"model {self.estimator.description} ({self.estimator.kind.value}) "
                               f"on {self.estimator.device}")
        if self.estimator.kind is DepthKind.RELATIVE_INVERSE:
            self.get_logger().warning("this model predicts relative inverse depth: publishing "
                                      "depth/relative_inverse; run lidar_fusion_node for metres")
        self.depth_publisher = self.create_output_publisher(Image, DEPTH_TOPIC[self.estimator.kind],
                                                            stream_output_qos())
        self.info_publisher = self.create_output_publisher(CameraInfo, "depth/camera_info", stream_output_qos())
        self.confidence_publisher = self.create_output_publisher(Image, "depth/confidence", stream_output_qos())
        self.colored_publisher = self.create_output_publisher(Image, "depth/colored", stream_output_qos())
        self.stream = StabilisedStream(stabiliser_config_from(self.params),
                                       relative_inverse=self.estimator.kind is DepthKind.RELATIVE_INVERSE)
        self.last_reset = ""
        self.last_timings_ms: dict[str, float] = {}
        inputs = MutuallyExclusiveCallbackGroup()
        reliability = self.params["reliability"]
        self.image_subscription = AdaptiveSubscription(self, Image, "image", self.submit, reliability,
                                                       callback_group=inputs)
        self.camera_info = CameraInfoInput(self, "camera_info", reliability, self.problems, callback_group=inputs)

    def process(self, image: Image) -> None:
        """Estimate and publish depth for one image (runs on the worker thread)."""
        info = self.camera_info.for_frame(stamp_ns(image.header), self.params["camera_info_tolerance_s"], "images")
        if info is None:
            return
        started = time.perf_counter()
        try:
            rgb = image_to_rgb(image)
            depth_info = camera_info_for_image(info, image.header, image.width, image.height)
            intrinsics = camera_info_to_intrinsics(depth_info)
        except ConversionError as error:
            self.problems.report("input", f"dropping input on {self.image_subscription.topic}: {error}")
            return
        self.problems.resolve("input")
        decoded = time.perf_counter()
        prediction = self.estimator.predict(rgb, intrinsics,
                                            (self.params["min_depth_m"], self.params["max_depth_m"]))
        self.stream.configure(stabiliser_config_from(self.params))
        stabilised = self.stream.update(rgb, prediction.values, intrinsics, stamp_ns(image.header) / 1e9)
        if stabilised.reset_reason:
            self.last_reset = stabilised.reset_reason
            self.get_logger().info(f"temporal stabiliser reset: {stabilised.reset_reason}")
        published = time.perf_counter()
        self.info_publisher.publish(depth_info)
        self.depth_publisher.publish(array_to_image(stabilised.depth, "32FC1", image.header))
        if stabilised.confidence is not None and self.demand.has_subscribers(self.confidence_publisher):
            self.confidence_publisher.publish(array_to_image(stabilised.confidence, "32FC1", image.header))
        if self.params["publish_colored"] and self.demand.has_subscribers(self.colored_publisher):
            self.publish_colored(stabilised.depth, image.header)
        done = time.perf_counter()
        self.last_timings_ms = {"decode": (decoded - started) * 1e3, **prediction.timings_ms,
                                "stabilise": stabilised.stabilise_ms, "publish": (done - published) * 1e3}
        self.record_output(stamp_ns(image.header))

    def publish_colored(self, depth, header) -> None:
        """Turbo colour map, near red: inverse depth (relative models) is larger where depth is smaller."""
        if not np.isfinite(depth).any():
            return
        colored, _ = colorize_depth(depth, large_is_red=self.estimator.kind is DepthKind.RELATIVE_INVERSE)
        self.colored_publisher.publish(array_to_image(colored, "rgb8", header))

    def diagnostic_values(self) -> dict[str, object]:
        values = {"model": self.estimator.description, "kind": self.estimator.kind.value,
                  "device": self.estimator.device, "image_reliability": self.image_subscription.policy.name.lower(),
                  "temporal_consistency": "on" if self.stream.enabled else "off", "stabiliser_reset": self.last_reset}
        values.update({f"{stage}_ms": f"{ms:.1f}" for stage, ms in self.last_timings_ms.items()})
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(DepthNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
