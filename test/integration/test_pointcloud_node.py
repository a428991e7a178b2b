"""pointcloud_node in its own process, fed with synthetic depth images and checked over real DDS."""
from __future__ import annotations

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.conversions.pointcloud2 import pointcloud2_to_array, pointcloud2_to_xyz

RELIABLE = ReliabilityPolicy.RELIABLE
WIDTH, HEIGHT = 64, 48
K = np.array([[50.0, 0.0, 31.5], [0.0, 50.0, 23.5], [0.0, 0.0, 1.0]])
PLANE_Z_M = 2.0
FRAME_ID = "camera_optical_frame"


class DepthCamera:
    """Publishes depth, camera_info and colour images on /cam/* and collects /cam/points."""

    def __init__(self, node) -> None:
        self.node = node
        self.depth_pub = self.node.create_publisher(Image, "/cam/depth/image", qos(RELIABLE))
        self.info_pub = self.node.create_publisher(CameraInfo, "/cam/depth/camera_info", qos(RELIABLE))
        self.image_pub = self.node.create_publisher(Image, "/cam/image", qos(RELIABLE))
        self.clouds: list[PointCloud2] = []
        self.published_stamps: set[tuple[int, int]] = set()
        self.diagnostics: list[DiagnosticArray] = []

    def subscribe_points(self) -> None:
        self.node.create_subscription(PointCloud2, "/cam/points", self.clouds.append, qos(RELIABLE))

    def subscribe_diagnostics(self) -> None:
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self.diagnostics.append, qos(RELIABLE))

    def publish(self, depth: Image, info: CameraInfo, colour: Image | None = None) -> None:
        stamp = self.node.get_clock().now().to_msg()
        self.published_stamps.add((stamp.sec, stamp.nanosec))
        for message in (info, colour, depth):
            if message is not None:
                message.header.stamp = stamp
        if colour is not None:
            self.image_pub.publish(colour)
        self.info_pub.publish(info)
        self.depth_pub.publish(depth)

    def wait_for_node(self, timeout_s: float = 60.0) -> bool:
        return spin_until(self.node, lambda: self.depth_pub.get_subscription_count() > 0, timeout_s)

    def publish_until(self, condition, depth: Image, info: CameraInfo, colour: Image | None = None,
                      timeout_s: float = 20.0) -> bool:
        return spin_until(self.node, condition, timeout_s, every=lambda: self.publish(depth, info, colour),
                          period_s=0.1)

    def publish_for(self, duration_s: float, depth: Image, info: CameraInfo, colour: Image | None = None) -> None:
        self.publish_until(lambda: False, depth, info, colour, timeout_s=duration_s)


@pytest.fixture
def make_camera(test_nodes):
    return lambda name: DepthCamera(test_nodes(name))


@pytest.fixture
def pointcloud_node(node_processes):
    return lambda **parameters: node_processes("monodepth_ros.ros.nodes.navigation.pointcloud_node", "/cam", parameters)


def plane_depth(encoding: str = "32FC1") -> Image:
    """A fronto-parallel plane at PLANE_Z_M whose first row has no readings (NaN, or 0 mm)."""
    metres = np.full((HEIGHT, WIDTH), PLANE_Z_M, np.float32)
    metres[0] = np.nan
    if encoding == "16UC1":
        return array_to_image(np.nan_to_num(metres * 1000.0).astype(np.uint16), "16UC1", Header(frame_id=FRAME_ID))
    return array_to_image(metres, "32FC1", Header(frame_id=FRAME_ID))


def plane_info(k: np.ndarray = K, width: int = WIDTH, height: int = HEIGHT) -> CameraInfo:
    return camera_info_from_matrix(k, width, height, Header(frame_id=FRAME_ID))


def valid_points_at(decimation: int) -> int:
    """Points of plane_depth() at ``decimation``: every kept pixel except those of the empty first row."""
    rows, cols = len(range(0, HEIGHT, decimation)), len(range(0, WIDTH, decimation))
    return (rows - 1) * cols


@pytest.mark.parametrize("encoding", ["32FC1", "16UC1"])
def test_plane_cloud_has_the_depth_header_decimated_points_and_the_plane_depth(
        make_camera, pointcloud_node, encoding):
    node = pointcloud_node(decimation=2)
    camera = make_camera(f"plane_{encoding}")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    depth, info = plane_depth(encoding), plane_info()
    assert camera.publish_until(lambda: len(camera.clouds) >= 2, depth, info), node.log()
    cloud = camera.clouds[-1]
    assert cloud.header.frame_id == FRAME_ID
    assert (cloud.header.stamp.sec, cloud.header.stamp.nanosec) in camera.published_stamps
    assert [field.name for field in cloud.fields] == ["x", "y", "z"]
    xyz = pointcloud2_to_xyz(cloud)
    assert len(xyz) == valid_points_at(2) == 23 * 32
    np.testing.assert_allclose(xyz[:, 2], PLANE_Z_M, atol=1e-4)
    assert xyz[:, 0].min() == pytest.approx((0 - 31.5) / 50.0 * PLANE_Z_M, abs=1e-4)
    assert xyz[:, 0].max() == pytest.approx((62 - 31.5) / 50.0 * PLANE_Z_M, abs=1e-4)
    assert xyz[:, 1].min() == pytest.approx((2 - 23.5) / 50.0 * PLANE_Z_M, abs=1e-4), "row 0 has no depth"
    assert cloud.is_dense


def test_camera_info_of_the_full_resolution_camera_is_scaled_to_the_depth_image(make_camera, pointcloud_node):
    node = pointcloud_node()
    camera = make_camera("full_resolution_info")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    full_resolution_k = np.array([[100.0, 0.0, 63.5], [0.0, 100.0, 47.5], [0.0, 0.0, 1.0]])
    info = plane_info(full_resolution_k, WIDTH * 2, HEIGHT * 2)
    assert camera.publish_until(lambda: len(camera.clouds) >= 1, plane_depth(), info), node.log()
    xyz = pointcloud2_to_xyz(camera.clouds[-1])
    assert len(xyz) == valid_points_at(1)
    assert xyz[:, 0].min() == pytest.approx((0 - 31.5) / 50.0 * PLANE_Z_M, abs=1e-4), "K of the depth image"
    assert xyz[:, 1].max() == pytest.approx((47 - 23.5) / 50.0 * PLANE_Z_M, abs=1e-4)


def test_xyzrgb_takes_colours_from_an_image_of_twice_the_resolution(make_camera, pointcloud_node):
    node = pointcloud_node(use_color=True)
    camera = make_camera("plane_colour")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    colour = np.zeros((2 * HEIGHT, 2 * WIDTH, 3), np.uint8)
    colour[:, :WIDTH] = [255, 0, 0]
    colour[:, WIDTH:] = [0, 0, 255]
    image = array_to_image(np.ascontiguousarray(colour[:, :, ::-1]), "bgr8", Header(frame_id=FRAME_ID))
    assert camera.publish_until(lambda: len(camera.clouds) >= 1, plane_depth(), plane_info(), image), node.log()
    cloud = camera.clouds[-1]
    assert [field.name for field in cloud.fields] == ["x", "y", "z", "rgb"]
    points = pointcloud2_to_array(cloud)
    assert len(points) == valid_points_at(1)
    packed = points["rgb"].view(np.uint32)
    red, blue = (packed >> 16) & 0xFF, packed & 0xFF
    left = points["x"] < 0.0
    assert left.sum() == (WIDTH // 2) * (HEIGHT - 1)
    assert (red[left] == 255).all() and (blue[left] == 0).all()
    assert (red[~left] == 0).all() and (blue[~left] == 255).all()


def test_malformed_input_is_reported_once_and_the_next_good_depth_is_processed(make_camera, pointcloud_node):
    node = pointcloud_node(reliability="reliable")
    camera = make_camera("malformed")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    colour_as_depth = array_to_image(np.zeros((HEIGHT, WIDTH, 3), np.uint8), "rgb8", Header(frame_id=FRAME_ID))
    # Ordered so that a frame handled before its own camera_info, which takes the newest one, is still bad.
    no_size_info = plane_info(width=0, height=0)
    bad_inputs = [(plane_depth(), plane_info(k=np.zeros((3, 3)))), (plane_depth(), no_size_info),
                  (colour_as_depth, plane_info())]
    for depth, info in bad_inputs:
        camera.publish_for(1.0, depth, info)
    assert camera.clouds == [], "malformed input must not produce clouds"
    assert camera.publish_until(lambda: len(camera.clouds) >= 1, plane_depth(), plane_info()), node.log()
    assert node.alive()
    assert len(pointcloud2_to_xyz(camera.clouds[-1])) == valid_points_at(1)
    errors = [line for line in node.log().splitlines() if line.startswith("[ERROR]")]
    assert sum("'rgb8' is not a depth encoding" in line for line in errors) == 1, "a repeated problem is logged once"
    assert sum("not calibrated" in line for line in errors) == 1
    assert sum("/cam/depth/camera_info: CameraInfo has no image size" in line for line in errors) == 1


def test_all_nan_depth_gives_an_empty_cloud(make_camera, pointcloud_node):
    node = pointcloud_node()
    camera = make_camera("all_nan")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    empty = array_to_image(np.full((HEIGHT, WIDTH), np.nan, np.float32), "32FC1", Header(frame_id=FRAME_ID))
    assert camera.publish_until(lambda: len(camera.clouds) >= 1, empty, plane_info()), node.log()
    cloud = camera.clouds[-1]
    assert cloud.width * cloud.height == 0 and len(cloud.data) == 0
    assert cloud.header.frame_id == FRAME_ID
    assert "[ERROR]" not in node.log()


def _node_diagnostics(camera: DepthCamera) -> list[dict[str, str]]:
    return [{item.key: item.value for item in array.status[0].values} for array in camera.diagnostics
            if array.status and "pointcloud_node" in array.status[0].name]


def test_no_work_without_subscribers_and_diagnostics_report_rate_and_points(make_camera, pointcloud_node):
    node = pointcloud_node(diagnostics_period_s=0.5, decimation=4)
    camera = make_camera("diagnostics")
    camera.subscribe_diagnostics()
    assert camera.wait_for_node(), node.log()
    depth, info = plane_depth(), plane_info()
    camera.publish_for(2.0, depth, info)
    idle = _node_diagnostics(camera)[-1]
    assert float(idle["rate_hz"]) == 0.0 and idle["points"] == "0", "nobody subscribes to points: no work"
    camera.subscribe_points()
    assert camera.publish_until(lambda: len(camera.clouds) >= 3, depth, info), node.log()
    camera.publish_for(1.0, depth, info)
    busy = _node_diagnostics(camera)[-1]
    assert float(busy["rate_hz"]) > 0.0
    assert int(busy["points"]) == valid_points_at(4)
    assert float(busy["total_ms"]) > 0.0


def test_parameter_updates_apply_to_the_next_depth_image_and_invalid_ones_are_rejected(
        ros_context, make_camera, pointcloud_node):
    from rclpy.parameter import Parameter
    from rclpy.parameter_client import AsyncParameterClient

    node = pointcloud_node()
    camera = make_camera("parameters")
    camera.subscribe_points()
    client = AsyncParameterClient(camera.node, "/cam/pointcloud_node")
    assert client.wait_for_services(timeout_sec=60.0), node.log()

    def set_parameter(name, value):
        future = client.set_parameters([Parameter(name, value=value)])
        ros_context.spin_until_future_complete(camera.node, future, timeout_sec=10.0)
        return future.result().results[0]

    def cloud_size() -> int:
        return len(pointcloud2_to_xyz(camera.clouds[-1])) if camera.clouds else -1

    depth, info = plane_depth(), plane_info()
    assert camera.publish_until(lambda: cloud_size() == valid_points_at(1), depth, info), node.log()
    assert not set_parameter("decimation", 0).successful
    assert not set_parameter("decimation", 17).successful
    assert set_parameter("decimation", 4).successful
    assert camera.publish_until(lambda: cloud_size() == valid_points_at(4), depth, info), node.log()
    assert set_parameter("voxel_size_m", 0.5).successful
    assert camera.publish_until(lambda: 0 < cloud_size() < valid_points_at(4) // 4, depth, info), node.log()
    assert set_parameter("max_depth_m", 1.5).successful
    assert camera.publish_until(lambda: cloud_size() == 0, depth, info), "the plane at 2 m is beyond 1.5 m"
    refused = set_parameter("min_depth_m", 3.0)
    assert not refused.successful and "min_depth_m (3.0) must be below max_depth_m (1.5)" in refused.reason
    assert node.alive()


def test_former_parameter_names_still_apply_with_one_warning_each(make_camera, pointcloud_node):
    node = pointcloud_node(min_range_m=2.5, max_range_m=30, depth_reliability="reliable")
    camera = make_camera("former_names")
    camera.subscribe_points()
    assert camera.wait_for_node(), node.log()
    camera.publish_for(1.0, plane_depth(), plane_info())
    assert camera.publish_until(lambda: len(camera.clouds) >= 3, plane_depth(), plane_info()), node.log()
    assert all(len(pointcloud2_to_xyz(cloud)) == 0 for cloud in camera.clouds), "the plane at 2 m is nearer than 2.5 m"
    log = node.log()
    for former, current in (("min_range_m", "min_depth_m"), ("max_range_m", "max_depth_m"),
                            ("depth_reliability", "reliability")):
        warnings = [line for line in log.splitlines() if f"parameter {former} is deprecated" in line]
        assert len(warnings) == 1 and f"use {current}" in warnings[0], log
