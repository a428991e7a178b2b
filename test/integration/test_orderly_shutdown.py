"""Ctrl-C while frames are being processed: node processes and the pipeline runner exit with 0 and log no error.

Before the shutdown was ordered, a worker still busy at Ctrl-C published after rclpy's signal handler had shut
the context down: `depth estimation failed (RCLError: Failed to publish: publisher's context is invalid ...)` and
`Failed to publish log message to rosout`, in most shutdowns of a busy node."""
from __future__ import annotations

import signal

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import OccupancyGrid
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image

RELIABLE = ReliabilityPolicy.RELIABLE
ROUNDS = 5
SHUTDOWN_ERRORS = ("Failed to publish", "context is invalid", "rosout", "[ERROR]", "Traceback")
K = np.array([[500.0, 0.0, 319.5], [0.0, 500.0, 239.5], [0.0, 0.0, 1.0]])


def shutdown_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(error in line for error in SHUTDOWN_ERRORS)]


def stop_with(process, number: int, timeout_s: float = 20.0) -> int:
    process.process.send_signal(number)
    process.process.wait(timeout_s)
    return process.process.returncode


class BusyCamera:
    """Publishes 640x480 frames faster than depth_node handles them, so that its worker is always busy."""

    def __init__(self, node, namespace: str) -> None:
        self.node = node
        self.image_pub = node.create_publisher(Image, f"{namespace}/image", qos(RELIABLE))
        self.info_pub = node.create_publisher(CameraInfo, f"{namespace}/camera_info", qos(RELIABLE))
        self.depth: list[Image] = []
        self.dropped = 0
        node.create_subscription(Image, f"{namespace}/depth/image", self.depth.append, qos(RELIABLE))
        node.create_subscription(Image, f"{namespace}/depth/colored", lambda message: None, qos(RELIABLE))
        node.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, qos(RELIABLE, 20))
        self.fqn = f"{namespace}/depth_node"
        rgb = (np.random.default_rng(1).random((480, 640, 3)) * 255).astype(np.uint8)
        self.image = array_to_image(rgb, "rgb8", Header(frame_id="camera_optical_frame"))
        self.info = camera_info_from_matrix(K, 640, 480, self.image.header)

    def on_diagnostics(self, array: DiagnosticArray) -> None:
        for status in array.status:
            if status.hardware_id == self.fqn:
                self.dropped = int({value.key: value.value for value in status.values}["inputs_dropped"])

    def publish(self) -> None:
        self.image.header.stamp = self.info.header.stamp = self.node.get_clock().now().to_msg()
        self.info_pub.publish(self.info)
        self.image_pub.publish(self.image)

    def feed_until(self, condition, timeout_s: float) -> bool:
        return spin_until(self.node, condition, timeout_s, every=self.publish, period_s=0.005)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_busy_depth_node_stops_cleanly_every_time(node_processes, test_nodes, stop_signal):
    camera = BusyCamera(test_nodes(f"busy_camera_{stop_signal.name.lower()}"), "/busy")
    for round_number in range(ROUNDS if stop_signal == signal.SIGINT else 1):
        process = node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/busy", {"diagnostics_period_s": 0.2})
        received, camera.dropped = len(camera.depth), 0
        assert camera.feed_until(lambda received=received: len(camera.depth) >= received + 5 and camera.dropped > 0,
                                 60.0), \
            process.log(20)
        for _ in range(5):  # frames keep coming up to the signal: the worker is busy with one of them
            camera.publish()
        assert stop_with(process, stop_signal) == 0, (round_number, process.log(20))
        assert shutdown_errors(process.log()) == [], (round_number, process.log())


def test_the_pipeline_runner_stops_cleanly_while_every_stage_works(node_processes, test_nodes):
    namespace = "/busy_pipeline"
    probe = test_nodes("busy_pipeline_probe")
    clouds, costmaps = [], []
    probe.create_subscription(PointCloud2, f"{namespace}/points", clouds.append, qos(RELIABLE))
    probe.create_subscription(Image, f"{namespace}/depth/colored", lambda message: None, qos(RELIABLE))
    probe.create_subscription(OccupancyGrid, f"{namespace}/costmap", costmaps.append, 1)
    for round_number in range(ROUNDS):
        runner = node_processes("monodepth_ros.ros.runners.pipeline_runner", namespace, {"rate_hz": 30.0},
                                arguments=("--sim", "--namespace", namespace))
        received = len(clouds)
        assert spin_until(probe, lambda received=received: len(clouds) >= received + 3 and costmaps, 120.0), \
            runner.log(30)
        assert stop_with(runner, signal.SIGINT) == 0, (round_number, runner.log(20))
        assert shutdown_errors(runner.log()) == [], (round_number, runner.log())
