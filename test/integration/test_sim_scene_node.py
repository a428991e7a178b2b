"""sim_scene_node in its own process, its topics and parameters checked over real DDS by this process."""
from __future__ import annotations

import math

import numpy as np
import pytest
from nav_msgs.msg import Odometry
from rclpy.parameter import Parameter
from rclpy.parameter_client import AsyncParameterClient
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2

from monodepth_ros.ros.conversions.image import depth_image_to_metres, image_to_array
from monodepth_ros.ros.conversions.pointcloud2 import pointcloud2_to_xyz

WIDTH, HEIGHT, FOV_DEG = 320, 240, 90.0
TOPICS = {"image_raw": Image, "camera_info": CameraInfo, "depth/ground_truth": Image, "points_lidar": PointCloud2,
          "odom": Odometry}


def stamp_of(message) -> tuple[int, int]:
    return message.header.stamp.sec, message.header.stamp.nanosec


class Listener:
    """Collects everything sim_scene_node publishes under /sim."""

    def __init__(self, node) -> None:
        self.node = node
        self.received: dict[str, list] = {topic: [] for topic in TOPICS}
        for topic, message_type in TOPICS.items():
            self.node.create_subscription(message_type, f"/sim/{topic}", self.received[topic].append,
                                          qos(ReliabilityPolicy.RELIABLE, depth=50))

    def wait_for(self, topic: str, count: int, timeout_s: float = 60.0) -> bool:
        return spin_until(self.node, lambda: len(self.received[topic]) >= count, timeout_s)


@pytest.fixture
def sim_node(node_processes):
    return lambda **parameters: node_processes(
        "monodepth_ros.ros.nodes.sources.sim_scene_node", "/sim",
        {"image_width": WIDTH, "image_height": HEIGHT, "fov_deg": FOV_DEG, **parameters})


@pytest.fixture
def listener(test_nodes):
    return lambda name: Listener(test_nodes(name))


def test_every_sensor_is_published_with_one_stamp_per_frame_in_its_frame(sim_node, listener):
    node = sim_node(frame_prefix="robot1/", rate_hz=10.0)
    sim = listener("sim_listener")
    assert sim.wait_for("image_raw", 1), node.log()
    assert sim.wait_for("image_raw", 31, timeout_s=30.0), node.log()
    spin_until(sim.node, lambda: False, 0.5)

    images = sim.received["image_raw"]
    span_s = (images[-1].header.stamp.sec - images[1].header.stamp.sec) + \
        (images[-1].header.stamp.nanosec - images[1].header.stamp.nanosec) / 1e9
    assert (len(images) - 2) / span_s >= 5.0, "frames per second"
    stamps = {topic: [stamp_of(message) for message in messages] for topic, messages in sim.received.items()}
    for topic, topic_stamps in stamps.items():
        assert topic_stamps == sorted(set(topic_stamps)), f"{topic}: one message per frame, in order"
    shared = set.intersection(*(set(topic_stamps) for topic_stamps in stamps.values()))
    assert len(shared) >= 0.5 * len(images), "the sensors of one frame share its stamp"

    image, info, depth, cloud, odometry = (sim.received[topic][-1] for topic in
                                           ("image_raw", "camera_info", "depth/ground_truth", "points_lidar", "odom"))
    assert image.encoding == "rgb8" and (image.width, image.height) == (WIDTH, HEIGHT)
    assert image_to_array(image).std() > 5.0, "a textured scene, not a blank image"
    assert depth.encoding == "32FC1" and (depth.width, depth.height) == (WIDTH, HEIGHT)
    metres = depth_image_to_metres(depth)
    assert np.isfinite(metres).mean() > 0.9 and np.nanmin(metres) > 0.0, "indoors nearly every pixel hits"
    assert image.header.frame_id == depth.header.frame_id == info.header.frame_id == "robot1/camera_optical_frame"
    assert cloud.header.frame_id == "robot1/lidar"
    assert {field.name for field in cloud.fields} >= {"x", "y", "z"} and cloud.width * cloud.height > 1000
    assert odometry.header.frame_id == "robot1/odom" and odometry.child_frame_id == "robot1/base_link"

    focal = 0.5 * WIDTH / math.tan(math.radians(0.5 * FOV_DEG))
    expected_k = [focal, 0.0, (WIDTH - 1) / 2, 0.0, focal, (HEIGHT - 1) / 2, 0.0, 0.0, 1.0]
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert list(info.k) == pytest.approx(expected_k)
    assert list(info.p) == pytest.approx(expected_k[:3] + [0.0] + expected_k[3:6] + [0.0] + expected_k[6:] + [0.0])


def test_odometry_moves_along_the_path_at_the_configured_speed(sim_node, listener):
    node = sim_node(path_speed_mps=1.0, publish_lidar=False)
    sim = listener("odom_listener")
    assert sim.wait_for("odom", 20), node.log()
    first, last = sim.received["odom"][0], sim.received["odom"][-1]
    elapsed_s = (last.header.stamp.sec - first.header.stamp.sec) + \
        (last.header.stamp.nanosec - first.header.stamp.nanosec) / 1e9
    moved_m = math.hypot(last.pose.pose.position.x - first.pose.pose.position.x,
                         last.pose.pose.position.y - first.pose.pose.position.y)
    assert 0.8 * elapsed_s <= moved_m <= 1.0 * elapsed_s + 1e-6, "chord of a curve at 1 m/s"
    assert last.twist.twist.linear.x == pytest.approx(1.0)
    assert last.twist.twist.angular.z > 0.0, "counter-clockwise loop"
    assert sim.received["points_lidar"] == [], "publish_lidar false"


def test_extrinsics_are_readable_parameters_and_the_lidar_cloud_follows_them(ros_context, sim_node, listener):
    lidar_pose = [0.05, 0.0, 0.8, 0.0, 0.0, 0.0, 1.0]
    node = sim_node(lidar_pose_in_base=lidar_pose, lidar_range_noise_m=0.0)
    client_node = ros_context.create_node("extrinsics_reader")
    client = AsyncParameterClient(client_node, "/sim/sim_scene_node")
    assert client.wait_for_services(timeout_sec=60.0), node.log()
    future = client.get_parameters(["lidar_pose_in_base", "camera_pose_in_base"])
    ros_context.spin_until_future_complete(client_node, future, timeout_sec=10.0)
    lidar_pose_in_base, camera_pose_in_base = (list(value.double_array_value) for value in future.result().values)
    assert lidar_pose_in_base == pytest.approx(lidar_pose)
    assert camera_pose_in_base == pytest.approx([0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5])

    future = client.set_parameters([Parameter("lidar_pose_in_base", value=[0.0] * 6 + [1.0])])
    ros_context.spin_until_future_complete(client_node, future, timeout_sec=10.0)
    assert not future.result().results[0].successful, "extrinsics are read-only"

    sim = listener("lidar_listener")
    assert sim.wait_for("points_lidar", 2), node.log()
    points = pointcloud2_to_xyz(sim.received["points_lidar"][-1])
    assert np.percentile(points[:, 2], 1) == pytest.approx(-0.8, abs=0.01), "the floor lies 0.8 m below the LiDAR"
    assert "lidar [0.05, 0.0, 0.8, 0.0, 0.0, 0.0, 1.0]" in node.log(), "extrinsics are logged at start-up"
    client_node.destroy_node()


def test_a_rate_the_renderer_cannot_keep_up_with_is_reported(sim_node, listener):
    node = sim_node(rate_hz=100.0, image_width=640, image_height=480)
    sim = listener("slow_listener")
    assert sim.wait_for("image_raw", 25), node.log()
    assert spin_until(sim.node, lambda: "lower rate_hz" in node.log(), 10.0), node.log()


def test_a_scene_that_cannot_be_built_stops_the_node_with_the_reason(sim_node):
    node = sim_node(path_semi_axes_m=[7.0, 2.0])
    node.process.wait(60)
    assert node.process.returncode == 1
    assert "path does not fit" in node.log()
