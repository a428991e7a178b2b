"""One depth_node process serving three camera namespaces with one model, fed and checked over real DDS."""
from __future__ import annotations

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy._rclpy_pybind11 import RCLError
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres

RELIABLE = qos(ReliabilityPolicy.RELIABLE)
FEED = qos(ReliabilityPolicy.RELIABLE, depth=20)
"""The rig's publishers: reliable with room for the frames a loaded node has not acknowledged yet."""
CAMERAS = ("front", "left", "right")


class Rig:
    """Publishes each camera's image and camera_info under /rig/<camera>/ and collects its outputs."""

    def __init__(self, node, rgb: np.ndarray, k: np.ndarray) -> None:
        self.node = node
        self.images, self.infos, self.bad = {}, {}, {}
        self.image_pubs, self.info_pubs = {}, {}
        self.depth = {camera: [] for camera in CAMERAS}
        self.depth_infos = {camera: [] for camera in CAMERAS}
        self.sent_stamps = {camera: set() for camera in CAMERAS}
        self.malformed_stamps: set[tuple[int, int]] = set()
        self.diagnostics: list[dict[str, str]] = []
        for index, camera in enumerate(CAMERAS):
            header = Header(frame_id=f"{camera}_optical_frame")
            camera_k = k * np.array([[1.0 + 0.1 * index, 1, 1], [1, 1.0 + 0.1 * index, 1], [1, 1, 1]])
            self.images[camera] = array_to_image(rgb, "rgb8", header)
            self.infos[camera] = camera_info_from_matrix(camera_k, rgb.shape[1], rgb.shape[0], header)
            self.bad[camera] = array_to_image(rgb, "rgb8", header)
            self.bad[camera].encoding = "yuv_nonsense"
            self.image_pubs[camera] = node.create_publisher(Image, f"/rig/{camera}/image", FEED)
            self.info_pubs[camera] = node.create_publisher(CameraInfo, f"/rig/{camera}/camera_info", FEED)
            node.create_subscription(Image, f"/rig/{camera}/depth/image", self.depth[camera].append, RELIABLE)
            node.create_subscription(CameraInfo, f"/rig/{camera}/depth/camera_info", self.depth_infos[camera].append,
                                     RELIABLE)
        node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, RELIABLE)

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        for status in array.status:
            if "depth_node" in status.name:
                self.diagnostics.append({"message": status.message,
                                         **{item.key: item.value for item in status.values}})

    def publish(self, malformed: str | None = None) -> None:
        """One frame per camera, each camera with its own stamp; camera ``malformed`` sends an unreadable one.
        A frame that Fast DDS refuses (a reliable history still full of unacknowledged frames on a loaded machine)
        is not sent, as a camera driver would skip it; the checks count what arrives."""
        now = self.node.get_clock().now().nanoseconds
        for index, camera in enumerate(CAMERAS):
            image = self.bad[camera] if camera == malformed else self.images[camera]
            stamp_ns = now + index * 1000
            image.header.stamp.sec, image.header.stamp.nanosec = divmod(stamp_ns, 10**9)
            info = self.infos[camera]
            info.header.stamp = image.header.stamp
            try:
                self.info_pubs[camera].publish(info)
                self.image_pubs[camera].publish(image)
            except RCLError:
                continue
            stamps = self.malformed_stamps if camera == malformed else self.sent_stamps[camera]
            stamps.add((image.header.stamp.sec, image.header.stamp.nanosec))

    def counts(self) -> dict[str, int]:
        return {camera: len(messages) for camera, messages in self.depth.items()}


@pytest.fixture(scope="module")
def small_motorcycle():
    rgb, _, k = load_middlebury_motorcycle()
    return np.ascontiguousarray(rgb[::2, ::2]), k * np.array([[0.5, 1, 0.5], [1, 0.5, 0.5], [1, 1, 1]])


def test_three_cameras_each_get_their_own_depth_and_a_malformed_camera_does_not_stop_the_others(
        node_processes, test_nodes, small_motorcycle):
    rgb, k = small_motorcycle
    node = node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/rig",
                          {"cameras": list(CAMERAS), "batch_window_s": 0.05, "diagnostics_period_s": 0.5,
                           "reliability": "reliable"})
    rig = Rig(test_nodes("rig"), rgb, k)
    assert spin_until(rig.node, lambda: all(pub.get_subscription_count() for pub in rig.image_pubs.values()),
                      60.0), node.log()

    assert spin_until(rig.node, lambda: min(rig.counts().values()) >= 3, 30.0, every=rig.publish,
                      period_s=0.1), node.log()
    for camera in CAMERAS:
        for depth, info in zip(rig.depth[camera][-3:], rig.depth_infos[camera][-3:]):
            assert depth.header.frame_id == f"{camera}_optical_frame"
            assert (depth.header.stamp.sec, depth.header.stamp.nanosec) in rig.sent_stamps[camera]
            assert info.header.frame_id == depth.header.frame_id
            assert list(info.k) == pytest.approx(list(rig.infos[camera].k))
            assert (depth.width, depth.height) == (rgb.shape[1], rgb.shape[0])
            assert np.isfinite(depth_image_to_metres(depth)).mean() > 0.5
    assert spin_until(rig.node, lambda: any(int(values.get("batch_size", 0)) >= 2 for values in rig.diagnostics),
                      10.0, every=rig.publish, period_s=0.1), "frames of the three cameras must share batches"

    before = rig.counts()
    spin_until(rig.node, lambda: False, 2.0, every=lambda: rig.publish(malformed="left"), period_s=0.1)
    after = rig.counts()
    assert not {(m.header.stamp.sec, m.header.stamp.nanosec) for m in rig.depth["left"]} & rig.malformed_stamps, \
        "an unreadable frame must not produce depth"
    assert after["front"] - before["front"] >= 3 and after["right"] - before["right"] >= 3, \
        f"the other cameras must go on while left sends malformed frames: {before} -> {after}"
    warned = [values for values in rig.diagnostics[-3:] if "/rig/left/image" in values["message"]]
    assert warned, rig.diagnostics[-3:]
    assert "/rig/front/image" not in warned[-1]["message"] and "/rig/right/image" not in warned[-1]["message"]
    assert float(warned[-1]["front/rate_hz"]) > 0.0 and float(warned[-1]["right/rate_hz"]) > 0.0
    errors = [line for line in node.log().splitlines() if "yuv_nonsense" in line and line.startswith("[ERROR]")]
    assert len(errors) == 1 and "/rig/left/image" in errors[0], errors

    assert spin_until(rig.node, lambda: rig.counts()["left"] > after["left"], 30.0, every=rig.publish,
                      period_s=0.1), node.log()
    assert node.alive()


def test_a_camera_whose_outputs_nobody_subscribes_to_is_not_processed(node_processes, test_nodes, small_motorcycle):
    rgb, k = small_motorcycle
    node = node_processes("monodepth_ros.ros.nodes.depth.depth_node", "/rig",
                          {"cameras": ["front", "left"], "diagnostics_period_s": 0.5})
    peer = test_nodes("rig_front_only")
    header = Header(frame_id="optical_frame")
    image, info = array_to_image(rgb, "rgb8", header), camera_info_from_matrix(k, rgb.shape[1], rgb.shape[0], header)
    publishers = [(peer.create_publisher(Image, f"/rig/{camera}/image", RELIABLE),
                   peer.create_publisher(CameraInfo, f"/rig/{camera}/camera_info", RELIABLE))
                  for camera in ("front", "left")]
    front_depth = []
    peer.create_subscription(Image, "/rig/front/depth/image", front_depth.append, RELIABLE)
    diagnostics = []
    peer.create_subscription(DiagnosticArray, "/diagnostics", lambda array: diagnostics.extend(
        {item.key: item.value for item in status.values} for status in array.status
        if "depth_node" in status.name), RELIABLE)

    def publish() -> None:
        image.header.stamp = info.header.stamp = peer.get_clock().now().to_msg()
        for image_publisher, info_publisher in publishers:
            info_publisher.publish(info)
            image_publisher.publish(image)

    def front_served() -> bool:
        return len(front_depth) >= 5 and bool(diagnostics) and "front/rate_hz" in diagnostics[-1]

    assert spin_until(peer, front_served, 60.0, every=publish, period_s=0.1), node.log()
    spin_until(peer, lambda: False, 1.0, every=publish, period_s=0.1)
    assert float(diagnostics[-1]["front/rate_hz"]) > 0.0
    assert float(diagnostics[-1]["left/rate_hz"]) == 0.0, "nobody subscribes to left's depth: no inference for it"
    assert "left/inference_ms" not in diagnostics[-1]
