"""depth_node in its own process, fed and checked over real DDS by this process."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres

RELIABLE, BEST_EFFORT = ReliabilityPolicy.RELIABLE, ReliabilityPolicy.BEST_EFFORT


class Camera:
    """Publishes images and camera_info on /cam/* and collects the node's outputs."""

    def __init__(self, node, reliability=RELIABLE) -> None:
        self.node = node
        self.image_pub = self.node.create_publisher(Image, "/cam/image", qos(reliability))
        self.info_pub = self.node.create_publisher(CameraInfo, "/cam/camera_info", qos(reliability))
        self.depth: list[tuple[Image, float]] = []
        self.infos: list[CameraInfo] = []
        self.diagnostics: list[DiagnosticArray] = []

    def subscribe_outputs(self) -> None:
        self.node.create_subscription(Image, "/cam/depth/image",
                                      lambda m: self.depth.append((m, time.time())), qos(RELIABLE))
        self.node.create_subscription(CameraInfo, "/cam/depth/camera_info", self.infos.append, qos(RELIABLE))

    def subscribe_diagnostics(self) -> None:
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self.diagnostics.append, qos(RELIABLE))

    def publish(self, image: Image, info: CameraInfo | None) -> None:
        stamp = self.node.get_clock().now().to_msg()
        image.header.stamp = stamp
        if info is not None:
            info.header.stamp = stamp
            self.info_pub.publish(info)
        self.image_pub.publish(image)

    def wait_for_node(self, spin_until, timeout_s: float = 60.0) -> bool:
        return spin_until(self.node, lambda: self.image_pub.get_subscription_count() > 0, timeout_s)


@pytest.fixture(scope="module")
def motorcycle():
    rgb, depth, k = load_middlebury_motorcycle()
    return rgb, depth, k


@pytest.fixture
def make_camera(test_nodes):
    return lambda name, reliability=RELIABLE: Camera(test_nodes(name), reliability)


@pytest.fixture
def depth_node(node_processes):
    return lambda **parameters: node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/cam", parameters)


def frame(rgb: np.ndarray, k: np.ndarray, frame_id: str = "camera_optical_frame"):
    header = Header(frame_id=frame_id)
    return array_to_image(rgb, "rgb8", header), camera_info_from_matrix(k, rgb.shape[1], rgb.shape[0], header)


def test_depth_in_metres_with_header_copied_and_nan_outside_range(make_camera, depth_node, motorcycle):
    rgb, gt, k = motorcycle
    node = depth_node(max_depth_m=3.0)
    camera = make_camera("camera_metres")
    camera.subscribe_outputs()
    assert camera.wait_for_node(spin_until), node.log()
    image, info = frame(rgb, k)
    assert spin_until(camera.node, lambda: len(camera.depth) >= 3, 30.0,
                      every=lambda: camera.publish(image, info), period_s=0.1), node.log()
    message, _ = camera.depth[-1]
    assert message.encoding == "32FC1"
    assert (message.width, message.height) == (rgb.shape[1], rgb.shape[0])
    assert message.header.frame_id == "camera_optical_frame"
    published_stamps = {(m.header.stamp.sec, m.header.stamp.nanosec) for m, _ in camera.depth}
    assert (message.header.stamp.sec, message.header.stamp.nanosec) in published_stamps
    depth = depth_image_to_metres(message)
    valid = np.isfinite(depth)
    assert 0.3 < valid.mean() < 1.0, "max_depth_m=3 must blank the far part of the scene, not all of it"
    assert np.nanmax(depth) <= 3.0 and np.nanmin(depth) >= 0.1
    scene_metrics = depth_metrics(depth, np.where(gt < 3.0, gt, np.nan))
    assert scene_metrics["abs_rel"] < 0.3, scene_metrics
    info_out = camera.infos[-1]
    assert (info_out.width, info_out.height) == (message.width, message.height)
    assert info_out.header.frame_id == "camera_optical_frame"
    assert list(info_out.k) == pytest.approx(list(info.k))


@pytest.mark.parametrize("reliability", [RELIABLE, BEST_EFFORT], ids=["reliable", "best_effort"])
def test_auto_reliability_receives_from_either_publisher(make_camera, depth_node, motorcycle, reliability):
    rgb, _, k = motorcycle
    small = np.ascontiguousarray(rgb[::4, ::4])
    node = depth_node(diagnostics_period_s=0.5)
    camera = make_camera(f"camera_{reliability.name.lower()}", reliability)
    camera.subscribe_outputs()
    camera.subscribe_diagnostics()
    assert camera.wait_for_node(spin_until), node.log()
    image, info = frame(small, k / np.array([[4, 1, 4], [1, 4, 4], [1, 1, 1]]))
    assert spin_until(camera.node, lambda: len(camera.depth) >= 5, 30.0,
                      every=lambda: camera.publish(image, info), period_s=0.05), node.log()
    expected = reliability.name.lower()
    assert spin_until(camera.node, lambda: any(_diagnostic_values(array)["image_reliability"] == expected
                                               for array in _node_diagnostics(camera)), 10.0,
                      every=lambda: camera.publish(image, info), period_s=0.05), node.log()


def test_malformed_messages_are_reported_once_and_the_next_good_frame_is_processed(
        make_camera, depth_node, motorcycle):
    rgb, _, k = motorcycle
    node = depth_node(reliability="reliable")
    camera = make_camera("camera_malformed")
    camera.subscribe_outputs()
    assert camera.wait_for_node(spin_until), node.log()
    good_image, good_info = frame(rgb, k)
    depth_encoded = array_to_image(np.ones((20, 30), np.float32), "32FC1", Header(frame_id="c"))
    truncated = array_to_image(rgb, "rgb8", Header(frame_id="c"))
    truncated.data = truncated.data[: len(truncated.data) // 2]
    unknown = array_to_image(rgb, "rgb8", Header(frame_id="c"))
    unknown.encoding = "yuv_nonsense"
    for image, info in [(depth_encoded, camera_info_from_matrix(k, 30, 20, Header())), (truncated, good_info),
                        (unknown, good_info)]:
        for _ in range(3):
            camera.publish(image, info)
            spin_until(camera.node, lambda: False, 0.3)
    assert camera.depth == [], "malformed images must not produce depth"
    _, zero_k_info = frame(rgb, np.zeros((3, 3)))
    uncalibrated_camera = [lambda: camera.info_pub.publish(zero_k_info)] * 3 + \
        [lambda: camera.publish(good_image, zero_k_info)] * 3
    for publish in uncalibrated_camera:
        publish()
        spin_until(camera.node, lambda: False, 0.3)
    assert camera.depth == [], "an uncalibrated camera must not produce depth"
    assert spin_until(camera.node, lambda: len(camera.depth) >= 1, 30.0,
                      every=lambda: camera.publish(good_image, good_info), period_s=0.1), node.log()
    assert node.alive()
    log = node.log()
    assert "32FC1" in log and "colour" in log
    assert "yuv_nonsense" in log
    errors = [line for line in log.splitlines() if line.startswith("[ERROR]")]
    assert sum("yuv_nonsense" in line for line in errors) == 1, "a repeated problem is logged once"
    assert "K" in log and "calibrated" in log


def test_missing_camera_info_is_reported_and_processing_starts_when_it_arrives(
        make_camera, depth_node, motorcycle):
    rgb, _, k = motorcycle
    node = depth_node()
    camera = make_camera("camera_no_info")
    camera.subscribe_outputs()
    assert camera.wait_for_node(spin_until), node.log()
    image, info = frame(rgb, k)
    spin_until(camera.node, lambda: False, 2.0, every=lambda: camera.publish(image, None), period_s=0.1)
    assert camera.depth == []
    assert "no camera_info" in node.log()
    assert spin_until(camera.node, lambda: len(camera.depth) >= 1, 30.0,
                      every=lambda: camera.publish(image, info), period_s=0.1), node.log()
    assert node.alive()


def _node_diagnostics(camera: Camera) -> list[DiagnosticArray]:
    return [array for array in camera.diagnostics if array.status and "depth_node" in array.status[0].name]


def _diagnostic_values(array: DiagnosticArray) -> dict[str, str]:
    return {item.key: item.value for item in array.status[0].values}


def test_no_inference_without_subscribers_and_diagnostics_report_model_and_rate(
        make_camera, depth_node, motorcycle):
    rgb, _, k = motorcycle
    node = depth_node(diagnostics_period_s=0.5)
    camera = make_camera("camera_diagnostics")
    camera.subscribe_diagnostics()
    assert camera.wait_for_node(spin_until), node.log()
    image, info = frame(rgb, k)
    spin_until(camera.node, lambda: False, 3.0, every=lambda: camera.publish(image, info), period_s=0.1)
    idle = _diagnostic_values(_node_diagnostics(camera)[-1])
    assert float(idle["rate_hz"]) == 0.0, "nobody subscribes to depth: the model must not run"
    assert "fastdepth" in idle["model"] and idle["device"]
    camera.subscribe_outputs()
    assert spin_until(camera.node, lambda: len(camera.depth) >= 3, 30.0,
                      every=lambda: camera.publish(image, info), period_s=0.1), node.log()
    spin_until(camera.node, lambda: False, 1.0, every=lambda: camera.publish(image, info), period_s=0.1)
    busy = _diagnostic_values(_node_diagnostics(camera)[-1])
    assert float(busy["rate_hz"]) > 0.0
    assert math.isfinite(float(busy["latency_median_ms"]))
    assert float(busy["inference_ms"]) > 0.0


def test_invalid_parameter_updates_are_rejected_with_a_reason(ros_context, depth_node, test_nodes):
    from rclpy.parameter import Parameter
    from rclpy.parameter_client import AsyncParameterClient

    node = depth_node()
    client_node = test_nodes("parameter_client")
    client = AsyncParameterClient(client_node, "/cam/depth_node")
    assert client.wait_for_services(timeout_sec=60.0), node.log()

    def set_parameter(name, value):
        future = client.set_parameters([Parameter(name, value=value)])
        ros_context.spin_until_future_complete(client_node, future, timeout_sec=10.0)
        return future.result().results[0]

    rejected = set_parameter("max_depth_m", -1.0)
    assert not rejected.successful and rejected.reason
    read_only = set_parameter("backend", "onnx")
    assert not read_only.successful
    accepted = set_parameter("max_depth_m", 8.0)
    assert accepted.successful
