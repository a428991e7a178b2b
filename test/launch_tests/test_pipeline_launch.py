"""launch_testing: pipeline.launch.py fed by sim_scene_node publishes fused depth, points and a costmap.

Needs a ROS 2 installation (launch, launch_ros, launch_testing); test/integration/test_pipeline_runner.py
covers the same pipeline here by starting the nodes directly.
"""
import os
import unittest

import pytest

pytest.importorskip("launch.actions", reason="needs ROS 2 'launch' (not installable from PyPI)")
pytest.importorskip("launch_ros.actions", reason="needs ROS 2 'launch_ros' (not installable from PyPI)")
pytest.importorskip("launch_testing.actions", reason="needs ROS 2 'launch_testing' (not installable from PyPI)")

import launch_ros.actions  # noqa: E402
import launch_testing.actions  # noqa: E402
import rclpy  # noqa: E402
from ament_index_python.packages import get_package_share_directory  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
from nav_msgs.msg import OccupancyGrid  # noqa: E402
from rclpy.qos import DurabilityPolicy, QoSProfile  # noqa: E402
from sensor_msgs.msg import Image, PointCloud2  # noqa: E402

import launch  # noqa: E402


@pytest.mark.launch_test
def generate_test_description():
    share = get_package_share_directory("monodepth_ros")
    return launch.LaunchDescription([
        launch_ros.actions.Node(package="monodepth_ros", executable="sim_scene_node", namespace="launch_test",
                                parameters=[{"image_width": 320, "image_height": 240}]),
        launch.actions.IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, "launch", "pipeline.launch.py")),
            launch_arguments={"namespace": "launch_test", "image": "image_raw", "device": "cpu"}.items()),
        launch_testing.actions.ReadyToTest(),
    ])


class TestPipelineLaunch(unittest.TestCase):
    def test_fused_depth_points_and_costmap_are_published(self):
        rclpy.init()
        node = rclpy.create_node("pipeline_launch_probe")
        try:
            received = {"depth/fused": [], "points": [], "costmap": []}
            node.create_subscription(Image, "/launch_test/depth/fused", received["depth/fused"].append, 5)
            node.create_subscription(PointCloud2, "/launch_test/points", received["points"].append, 5)
            node.create_subscription(OccupancyGrid, "/launch_test/costmap", received["costmap"].append,
                                     QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
            end = node.get_clock().now().nanoseconds + 120_000_000_000
            while not all(received.values()) and node.get_clock().now().nanoseconds < end:
                rclpy.spin_once(node, timeout_sec=0.1)
            self.assertTrue(all(received.values()), {topic: len(messages) for topic, messages in received.items()})
            self.assertEqual(received["depth/fused"][0].encoding, "32FC1")
        finally:
            node.destroy_node()
            rclpy.shutdown()
