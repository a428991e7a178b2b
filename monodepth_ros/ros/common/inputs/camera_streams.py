"""The camera streams of a depth node: per camera namespace its subscriptions, outputs, statistics, problems, state."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np
from sensor_msgs.msg import CameraInfo, Image

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.runtime.depth_chain import StabilisedStream
from monodepth_ros.core.runtime.rate_stats import RateLatencyStats
from monodepth_ros.core.viz.colorize import colorize_depth
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, image_to_rgb

_NAMESPACE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*")


def cameras_error(cameras: list[str]) -> str | None:
    """Why ``cameras`` is not a list of distinct relative namespaces ([''] alone: the unnamespaced stream)."""
    if list(cameras) == [""]:
        return None
    if not cameras:
        return "cameras must name at least one camera namespace ([''] is the node's own, unnamespaced stream)"
    bad = [name for name in cameras if not _NAMESPACE.fullmatch(name)]
    if bad:
        return (f"cameras must be relative namespaces (letters, digits, _ and /, not starting with a digit or /), "
                f"got {bad}; '' is allowed only alone")
    repeated = sorted({name for name in cameras if list(cameras).count(name) > 1})
    if repeated:
        return f"cameras are listed twice: {repeated}"
    return None


def camera_topic(camera: str, topic: str) -> str:
    """The relative topic ``topic`` of the camera namespace ``camera`` ('' = the node's own namespace)."""
    return f"{camera}/{topic}" if camera else topic


@dataclass
class CameraFrame:
    """An image as received, with the stream it came on (the worker's input)."""

    stream: CameraStream
    image: Image


@dataclass
class DecodedFrame:
    """A frame ready for the model: uint8 RGB (H, W, 3), its intrinsics and the camera_info of its depth."""

    stream: CameraStream
    header: object
    rgb: np.ndarray
    intrinsics: Intrinsics
    depth_info: CameraInfo
    decode_ms: float


class CameraStream:
    """One camera namespace served by depth_node: subscribes ``<camera>/image`` and ``<camera>/camera_info``,
    publishes ``<camera>/<depth_topic>``, ``<camera>/depth/camera_info``, ``<camera>/depth/confidence`` and
    ``<camera>/depth/colored``.

    Everything that belongs to one stream lives here, so that cameras never share it: the camera_info buffer,
    its problems (keys under ``<camera>/``), its output rate and latency, the stage timings of its last frame,
    and its temporal stabiliser (``stabiliser``, the state kept between the camera's frames).
    """

    def __init__(self, node, camera: str, depth_topic: str, callback_group, stabiliser: StabilisedStream) -> None:
        self.camera = camera
        self.stabiliser = stabiliser
        self.last_reset = ""
        self._node = node
        self._demand = node.demand
        self.problems = node.problems.scoped(f"{camera}/" if camera else "")
        self.stats = RateLatencyStats()
        self.last_timings_ms: dict[str, float] = {}
        self.depth_publisher = node.create_output_publisher(Image, camera_topic(camera, depth_topic),
                                                            stream_output_qos())
        self.info_publisher = node.create_output_publisher(CameraInfo, camera_topic(camera, "depth/camera_info"),
                                                           stream_output_qos())
        self.confidence_publisher = node.create_output_publisher(Image, camera_topic(camera, "depth/confidence"),
                                                                 stream_output_qos())
        self.colored_publisher = node.create_output_publisher(Image, camera_topic(camera, "depth/colored"),
                                                              stream_output_qos())
        reliability = node.params["reliability"]
        self.image_subscription = AdaptiveSubscription(node, Image, camera_topic(camera, "image"),
                                                       lambda image: self._on_image(node, image),
                                                       reliability, callback_group=callback_group)
        self.camera_info = CameraInfoInput(node, camera_topic(camera, "camera_info"), reliability, self.problems,
                                           callback_group=callback_group)

    def _on_image(self, node, image: Image) -> None:
        """Hand ``image`` to the node's worker while one of this camera's outputs has a subscriber."""
        if any(self._demand.has_subscribers(publisher)
               for publisher in (self.depth_publisher, self.info_publisher, self.confidence_publisher,
                                 self.colored_publisher)):
            node.submit(CameraFrame(self, image))

    def decode(self, image: Image, camera_info_tolerance_s: float) -> DecodedFrame | None:
        """The frame of ``image`` ready for the model; None (the problem reported once for this stream) when it
        has no camera_info yet or cannot be read."""
        info = self.camera_info.for_frame(stamp_ns(image.header), camera_info_tolerance_s, "images")
        if info is None:
            return None
        started = time.perf_counter()
        try:
            rgb = image_to_rgb(image)
            depth_info = camera_info_for_image(info, image.header, image.width, image.height)
            intrinsics = camera_info_to_intrinsics(depth_info)
        except ConversionError as error:
            self.problems.report("input", f"dropping input on {self.image_subscription.topic}: {error}")
            return None
        self.problems.resolve("input")
        return DecodedFrame(self, image.header, rgb, intrinsics, depth_info, (time.perf_counter() - started) * 1e3)

    def publish(self, frame: DecodedFrame, depth: np.ndarray, batch_timings_ms: dict[str, float],
                colored_large_is_red: bool | None, stabiliser_config) -> None:
        """Stabilise ``depth`` float32 (H, W) of ``frame`` with this camera's stabiliser (``stabiliser_config``)
        and publish it with its header and camera_info, depth/confidence while subscribed, and depth/colored when
        ``colored_large_is_red`` is not None (True: turbo red where values are large) and someone subscribes."""
        self.stabiliser.configure(stabiliser_config)
        stabilised = self.stabiliser.update(frame.rgb, depth, frame.intrinsics, stamp_ns(frame.header) / 1e9)
        if stabilised.reset_reason:
            self.last_reset = stabilised.reset_reason
            self._node.get_logger().info(f"temporal stabiliser reset: {stabilised.reset_reason} "
                                         f"({self.image_subscription.topic})")
        started = time.perf_counter()
        self.info_publisher.publish(frame.depth_info)
        self.depth_publisher.publish(array_to_image(stabilised.depth, "32FC1", frame.header))
        if stabilised.confidence is not None and self._demand.has_subscribers(self.confidence_publisher):
            self.confidence_publisher.publish(array_to_image(stabilised.confidence, "32FC1", frame.header))
        if colored_large_is_red is not None and np.isfinite(stabilised.depth).any() and \
                self._demand.has_subscribers(self.colored_publisher):
            colored, _ = colorize_depth(stabilised.depth, large_is_red=colored_large_is_red)
            self.colored_publisher.publish(array_to_image(colored, "rgb8", frame.header))
        self.last_timings_ms = {"decode": frame.decode_ms, **batch_timings_ms, "stabilise": stabilised.stabilise_ms,
                                "publish": (time.perf_counter() - started) * 1e3}
        self.stats.record((self._node.get_clock().now().nanoseconds - stamp_ns(frame.header)) / 1e6)

    def diagnostic_values(self, dropped: int) -> dict[str, object]:
        """This stream's /diagnostics keys: for a namespaced camera ``<camera>/...`` with its own rate, latency and
        ``dropped`` inputs; for the unnamespaced stream the node's keys (its rate and counts are the node's)."""
        values = {"image_reliability": self.image_subscription.policy.name.lower(),
                  "temporal_consistency": "on" if self.stabiliser.enabled else "off",
                  "stabiliser_reset": self.last_reset,
                  **{f"{stage}_ms": f"{ms:.1f}" for stage, ms in self.last_timings_ms.items()}}
        if not self.camera:
            return values
        values.update({"rate_hz": f"{self.stats.rate_hz():.1f}",
                       "latency_median_ms": f"{self.stats.median_latency_ms():.1f}", "inputs_dropped": dropped})
        return {f"{self.camera}/{key}": value for key, value in values.items()}


def batches_by_size(frames: list[DecodedFrame]) -> list[list[DecodedFrame]]:
    """``frames`` grouped by image size (one model batch needs one size), in order of first appearance."""
    groups: dict[tuple[int, ...], list[DecodedFrame]] = {}
    for frame in frames:
        groups.setdefault(frame.rgb.shape, []).append(frame)
    return list(groups.values())
