"""A real processing node (pointcloud_node, made in this process) works only while its output is subscribed:
over real DDS, with publisher matched events and with the subscriber count used where rclpy lacks them."""
from __future__ import annotations

import time

import numpy as np
from ros_helpers import spinning, wait_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.nodes.navigation.pointcloud_node import PointCloudNode

WIDTH, HEIGHT = 32, 24
K = np.array([[30.0, 0.0, 15.5], [0.0, 30.0, 11.5], [0.0, 0.0, 1.0]])


class DepthFeed:
    """Publishes a flat depth image and its camera_info to /on_demand/depth/*; subscribes /on_demand/points."""

    def __init__(self, node) -> None:
        self.node = node
        self.depth = self.node.create_publisher(Image, "/on_demand/depth/image", stream_output_qos(depth=5))
        self.info = self.node.create_publisher(CameraInfo, "/on_demand/depth/camera_info", stream_output_qos(depth=5))
        self.clouds: list[PointCloud2] = []
        self.points_subscription = None

    def publish_for(self, duration_s: float, until=lambda: False) -> bool:
        deadline = time.monotonic() + duration_s
        while time.monotonic() < deadline:
            header = Header(frame_id="camera_optical_frame", stamp=self.node.get_clock().now().to_msg())
            self.info.publish(camera_info_from_matrix(K, WIDTH, HEIGHT, header))
            self.depth.publish(array_to_image(np.full((HEIGHT, WIDTH), 2.0, np.float32), "32FC1", header))
            if wait_until(until, 0.05):
                return True
        return until()

    def subscribe_points(self) -> None:
        self.points_subscription = self.node.create_subscription(PointCloud2, "/on_demand/points", self.clouds.append,
                                                                 stream_output_qos(depth=5))

    def unsubscribe_points(self) -> None:
        self.node.destroy_subscription(self.points_subscription)


def test_pointcloud_node_idles_without_a_subscriber_and_follows_one_coming_and_going(demand_mode, test_nodes):
    node = PointCloudNode(namespace="/on_demand")
    feed = DepthFeed(test_nodes("on_demand_feed"))
    try:
        assert node.demand.uses_matched_events is demand_mode
        with spinning(node, feed.node):
            assert wait_until(lambda: feed.depth.get_subscription_count() > 0, 10.0)
            feed.publish_for(1.0)
            assert node.worker.processed == 0, "nobody subscribes to points: no depth image is processed"
            feed.subscribe_points()
            assert feed.publish_for(10.0, until=lambda: len(feed.clouds) >= 3)
            assert node.worker.processed >= 3
            feed.unsubscribe_points()
            assert wait_until(lambda: not node.demand.active, 5.0)
            processed = node.worker.processed
            feed.publish_for(1.0)
            assert node.worker.processed <= processed + 1, "the subscriber left: processing stopped"
    finally:
        node.destroy_node()
