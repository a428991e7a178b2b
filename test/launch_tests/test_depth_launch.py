"""launch_testing: depth.launch.py starts depth_node, which turns an image into depth/image.

Needs a ROS 2 installation (launch, launch_ros, launch_testing); the same behaviour is covered without
them by test/integration/test_depth_node.py, which starts the node process directly.
"""
import os
import unittest

import pytest

pytest.importorskip("launch.actions", reason="needs ROS 2 'launch' (not installable from PyPI)")
pytest.importorskip("launch_ros.actions", reason="needs ROS 2 'launch_ros' (not installable from PyPI)")
pytest.importorskip("launch_testing.actions", reason="needs ROS 2 'launch_testing' (not installable from PyPI)")

import launch_testing.actions  # noqa: E402
import numpy as np  # noqa: E402
import rclpy  # noqa: E402
from ament_index_python.packages import get_package_share_directory  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

import launch  # noqa: E402
from monodepth_ros.ros.conversions.image import array_to_image


@pytest.mark.launch_test
def generate_test_description():
    launch_file = os.path.join(get_package_share_directory("monodepth_ros"), "launch", "depth.launch.py")
    return launch.LaunchDescription([
        launch.actions.IncludeLaunchDescription(
            PythonLaunchDescriptionSource(launch_file),
            launch_arguments={"namespace": "launch_test", "device": "cpu"}.items()),
        launch_testing.actions.ReadyToTest(),
    ])


class TestDepthLaunch(unittest.TestCase):
    def test_depth_image_is_published_in_metres(self):
        rclpy.init()
        node = rclpy.create_node("depth_launch_probe")
        try:
            received = []
            node.create_subscription(Image, "/launch_test/depth/image", received.append, 5)
            image_pub = node.create_publisher(Image, "/launch_test/image", 5)
            info_pub = node.create_publisher(CameraInfo, "/launch_test/camera_info", 5)
            image = array_to_image(np.full((240, 320, 3), 128, np.uint8), "rgb8", Header(frame_id="camera"))
            info = CameraInfo(width=320, height=240, k=[300.0, 0.0, 160.0, 0.0, 300.0, 120.0, 0.0, 0.0, 1.0])
            end = node.get_clock().now().nanoseconds + 60_000_000_000
            while not received and node.get_clock().now().nanoseconds < end:
                stamp = node.get_clock().now().to_msg()
                image.header.stamp = info.header.stamp = stamp
                info_pub.publish(info)
                image_pub.publish(image)
                rclpy.spin_once(node, timeout_sec=0.1)
            self.assertTrue(received, "no depth/image within 60 s")
            self.assertEqual(received[0].encoding, "32FC1")
        finally:
            node.destroy_node()
            rclpy.shutdown()
