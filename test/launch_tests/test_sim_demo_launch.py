"""launch_testing: sim_demo.launch.py (without RViz) runs the sim and the pipeline up to the costmap.

Needs a ROS 2 installation (launch, launch_ros, launch_testing); `make demo` and
test/integration/test_pipeline_runner.py run the same pipeline here without it.
"""
import os
import unittest

import pytest

pytest.importorskip("launch.actions", reason="needs ROS 2 'launch' (not installable from PyPI)")
pytest.importorskip("launch_ros.actions", reason="needs ROS 2 'launch_ros' (not installable from PyPI)")
pytest.importorskip("launch_testing.actions", reason="needs ROS 2 'launch_testing' (not installable from PyPI)")

import launch_testing.actions  # noqa: E402
import rclpy  # noqa: E402
from ament_index_python.packages import get_package_share_directory  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
from nav_msgs.msg import OccupancyGrid  # noqa: E402
from rclpy.qos import DurabilityPolicy, QoSProfile  # noqa: E402

import launch  # noqa: E402


@pytest.mark.launch_test
def generate_test_description():
    share = get_package_share_directory("monodepth_ros")
    return launch.LaunchDescription([
        launch.actions.IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, "launch", "sim_demo.launch.py")),
            launch_arguments={"rviz": "false"}.items()),
        launch_testing.actions.ReadyToTest(),
    ])


class TestSimDemoLaunch(unittest.TestCase):
    def test_costmap_arrives(self):
        rclpy.init()
        node = rclpy.create_node("sim_demo_probe")
        try:
            maps = []
            node.create_subscription(OccupancyGrid, "/costmap", maps.append,
                                     QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
            end = node.get_clock().now().nanoseconds + 120_000_000_000
            while not maps and node.get_clock().now().nanoseconds < end:
                rclpy.spin_once(node, timeout_sec=0.1)
            self.assertTrue(maps, "no costmap within 120 s")
            self.assertGreater(sum(1 for cell in maps[-1].data if cell == 100), 0, "no obstacle in the costmap")
        finally:
            node.destroy_node()
            rclpy.shutdown()
