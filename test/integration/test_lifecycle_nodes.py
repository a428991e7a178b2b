"""Managed nodes driven from this process through their lifecycle services (lifecycle_msgs) over real DDS: the
node processes start with autostart false, as under a lifecycle manager."""
from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from nav_msgs.msg import OccupancyGrid
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.testing.lifecycle_client import LifecycleClient

RELIABLE = ReliabilityPolicy.RELIABLE
PROCESSING_NODES = ("depth_node", "lidar_fusion_node", "pointcloud_node", "costmap_node")
ERROR_LINES = ("[ERROR]", "Traceback", "Failed to publish", "context is invalid")
K = np.array([[60.0, 0.0, 31.5], [0.0, 60.0, 23.5], [0.0, 0.0, 1.0]])


class Probe:
    """Feeds /lc/image + camera_info, counts /lc/depth/image and keeps the depth_node statuses of /diagnostics."""

    def __init__(self, node) -> None:
        self.node = node
        self.image_pub = node.create_publisher(Image, "/lc/image", qos(RELIABLE))
        self.info_pub = node.create_publisher(CameraInfo, "/lc/camera_info", qos(RELIABLE))
        self.depth: list[Image] = []
        self.statuses: list[DiagnosticStatus] = []
        node.create_subscription(Image, "/lc/depth/image", self.depth.append, qos(RELIABLE))
        node.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, qos(RELIABLE, 20))
        rgb = (np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8)
        self.image = array_to_image(rgb, "rgb8", Header(frame_id="camera_optical_frame"))
        self.info = camera_info_from_matrix(K, 64, 48, self.image.header)

    def on_diagnostics(self, array: DiagnosticArray) -> None:
        self.statuses += [status for status in array.status if status.hardware_id == "/lc/depth_node"]

    def publish(self) -> None:
        self.image.header.stamp = self.info.header.stamp = self.node.get_clock().now().to_msg()
        self.info_pub.publish(self.info)
        self.image_pub.publish(self.image)

    def feed_until(self, condition, timeout_s: float) -> bool:
        return spin_until(self.node, condition, timeout_s, every=self.publish, period_s=0.05)

    def publishers_of(self, topic: str) -> int:
        return self.node.count_publishers(topic)

    def status(self) -> tuple[bytes, dict[str, str]] | None:
        if not self.statuses:
            return None
        return self.statuses[-1].level, {value.key: value.value for value in self.statuses[-1].values}


def model_loads(log: str) -> int:
    return sum(1 for line in log.splitlines() if "depth_node]: model fastdepth" in line)


def test_depth_node_follows_every_transition_driven_over_its_lifecycle_services(node_processes, test_nodes):
    process = node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/lc",
                             {"autostart": False, "diagnostics_period_s": 0.2})
    probe = Probe(test_nodes("lifecycle_probe"))
    lifecycle = LifecycleClient(probe.node, "/lc/depth_node")
    assert lifecycle.wait_for_services(60.0), process.log()
    assert lifecycle.state() == "unconfigured"
    assert spin_until(probe.node, lambda: probe.status() is not None, 10.0), process.log()
    assert probe.status()[1]["lifecycle_state"] == "unconfigured" and probe.status()[0] == DiagnosticStatus.OK
    assert probe.publishers_of("/lc/depth/image") == 0 and model_loads(process.log()) == 0, "nothing made yet"

    assert lifecycle.change("configure") and lifecycle.state() == "inactive"
    assert model_loads(process.log()) == 1
    assert spin_until(probe.node, lambda: probe.publishers_of("/lc/depth/image") == 1
                      and probe.image_pub.get_subscription_count() == 1, 10.0), "configure made outputs and inputs"
    probe.feed_until(lambda: False, 1.0)
    assert probe.depth == [], "an inactive node publishes nothing"
    assert probe.status()[1]["lifecycle_state"] == "inactive" and probe.status()[1]["inputs_processed"] == "0"
    assert probe.status()[1]["model"] == "fastdepth (fastdepth_7.onnx)", "a configured node reports its model"

    assert lifecycle.change("activate") and lifecycle.state() == "active"
    assert probe.feed_until(lambda: len(probe.depth) >= 3, 30.0), process.log()
    assert spin_until(probe.node, lambda: probe.status()[1]["lifecycle_state"] == "active", 5.0)

    assert lifecycle.change("deactivate") and lifecycle.state() == "inactive"
    spin_until(probe.node, lambda: False, 0.3)  # a frame published before the deactivation may still arrive
    received = len(probe.depth)
    probe.feed_until(lambda: False, 1.5)
    assert len(probe.depth) == received, "a deactivated node publishes nothing"
    assert lifecycle.change("activate")
    assert probe.feed_until(lambda: len(probe.depth) >= received + 3, 30.0), process.log()
    assert model_loads(process.log()) == 1, "deactivate keeps the model: activating again loads nothing"

    assert lifecycle.change("deactivate") and lifecycle.change("cleanup") and lifecycle.state() == "unconfigured"
    assert spin_until(probe.node, lambda: probe.publishers_of("/lc/depth/image") == 0
                      and probe.publishers_of("/lc/depth/colored") == 0
                      and probe.image_pub.get_subscription_count() == 0, 10.0), "cleanup destroyed them"
    assert spin_until(probe.node, lambda: probe.status()[1]["lifecycle_state"] == "unconfigured"
                      and "model" not in probe.status()[1], 5.0), "the model is released"

    assert lifecycle.change("configure") and lifecycle.change("activate")
    assert model_loads(process.log()) == 2
    received = len(probe.depth)
    assert probe.feed_until(lambda: len(probe.depth) >= received + 3, 30.0), process.log()

    assert lifecycle.change("shutdown")
    process.process.wait(15.0)
    assert process.process.returncode == 0, process.log()
    log = process.log()
    assert not [line for line in log.splitlines() if any(error in line for error in ERROR_LINES)], log


def test_a_failed_configure_leaves_the_node_unconfigured_with_the_reason(node_processes, test_nodes):
    process = node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/lc",
                             {"autostart": False, "backend": "onnx", "model": "/no/such/model.onnx",
                              "output": "metric_depth", "diagnostics_period_s": 0.2})
    probe = Probe(test_nodes("lifecycle_failure_probe"))
    lifecycle = LifecycleClient(probe.node, "/lc/depth_node")
    assert lifecycle.wait_for_services(60.0), process.log()
    assert not lifecycle.change("configure")
    assert lifecycle.state() == "unconfigured" and process.alive()
    assert spin_until(probe.node, lambda: probe.status() is not None
                      and probe.status()[0] == DiagnosticStatus.WARN, 10.0), process.log()
    assert "configure failed" in probe.statuses[-1].message and "/no/such/model.onnx" in probe.statuses[-1].message
    assert probe.publishers_of("/lc/depth/image") == 0


def test_the_pipeline_runner_hosts_managed_nodes_a_manager_starts_and_shuts_down(node_processes, test_nodes):
    namespace = "/lc_pipeline"
    runner = node_processes("monodepth_ros.ros.runners.pipeline_runner", namespace, {"rate_hz": 5.0},
                            arguments=("--sim", "--no-autostart", "--namespace", namespace))
    probe = test_nodes("lifecycle_pipeline_probe")
    clouds, costmaps = [], []
    probe.create_subscription(PointCloud2, f"{namespace}/points", clouds.append, qos(RELIABLE))
    probe.create_subscription(OccupancyGrid, f"{namespace}/costmap", costmaps.append, 1)
    managers = {name: LifecycleClient(probe, f"{namespace}/{name}") for name in PROCESSING_NODES}
    for name, lifecycle in managers.items():
        assert lifecycle.wait_for_services(90.0), runner.log()
        assert lifecycle.state() == "unconfigured", name
    spin_until(probe, lambda: False, 1.0)
    assert clouds == [] and costmaps == [], "unconfigured nodes publish nothing"
    for transition in ("configure", "activate"):
        for name, lifecycle in managers.items():
            assert lifecycle.change(transition), (name, transition, runner.log(20))
    assert spin_until(probe, lambda: len(clouds) >= 3 and costmaps, 120.0), runner.log(30)
    for name, lifecycle in managers.items():
        assert lifecycle.change("shutdown") and lifecycle.state() in ("finalized", None), name
    runner.process.wait(15.0)
    assert runner.process.returncode == 0, "every managed node finalized: the runner exits"
    log = runner.log()
    assert not [line for line in log.splitlines() if any(error in line for error in ERROR_LINES)], log
