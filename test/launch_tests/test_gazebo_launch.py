"""launch_testing: gazebo.launch.py starts the ros_gz_bridge and the pipeline's nodes.

Needs ROS 2 (launch, launch_ros, launch_testing) and ros_gz_bridge; without Gazebo running the bridge
waits for data, so this checks that every process starts and stays up.
"""
import os
import unittest

import pytest

pytest.importorskip("launch.actions", reason="needs ROS 2 'launch' (not installable from PyPI)")
pytest.importorskip("launch_ros.actions", reason="needs ROS 2 'launch_ros' (not installable from PyPI)")
pytest.importorskip("launch_testing.actions", reason="needs ROS 2 'launch_testing' (not installable from PyPI)")

import launch_testing.actions  # noqa: E402
import rclpy  # noqa: E402
from ament_index_python.packages import get_package_prefix, get_package_share_directory  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402

import launch  # noqa: E402


def ros_package_installed(package: str) -> bool:
    """True when the ament index (AMENT_PREFIX_PATH) lists ``package``."""
    try:
        get_package_prefix(package)
    except (LookupError, OSError):
        return False
    return True


EXPECTED_NODES = {"monodepth_gz_bridge", "depth_node", "lidar_fusion_node", "pointcloud_node", "costmap_node"}


# skipif, not a module-level importorskip: under the launch_testing plugin a module that raises Skipped while it
# is imported aborts the collection of every launch test in the folder.
@pytest.mark.skipif(not ros_package_installed("ros_gz_bridge"), reason="needs ros_gz_bridge (Gazebo ROS integration)")
@pytest.mark.launch_test
def generate_test_description():
    share = get_package_share_directory("monodepth_ros")
    return launch.LaunchDescription([
        launch.actions.IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, "launch", "gazebo.launch.py"))),
        launch_testing.actions.ReadyToTest(),
    ])


class TestGazeboLaunch(unittest.TestCase):
    def test_bridge_and_pipeline_nodes_are_running(self):
        rclpy.init()
        node = rclpy.create_node("gazebo_launch_probe")
        try:
            end = node.get_clock().now().nanoseconds + 60_000_000_000
            names = set()
            while not EXPECTED_NODES <= names and node.get_clock().now().nanoseconds < end:
                rclpy.spin_once(node, timeout_sec=0.2)
                names = set(node.get_node_names())
            self.assertTrue(EXPECTED_NODES <= names, f"running: {sorted(names)}")
        finally:
            node.destroy_node()
            rclpy.shutdown()
