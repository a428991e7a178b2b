"""Each node's topic table (docs/nodes.md) lists exactly the topics the node publishes and subscribes to."""
from __future__ import annotations

import pytest
from rclpy.parameter import Parameter

from monodepth_ros.ros.nodes.navigation.costmap_node import CostmapNode
from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_TOPICS
from monodepth_ros.ros.nodes.media.depth_effects_node import DepthEffectsNode
from monodepth_ros.ros.nodes.media.depth_effects_params import DEPTH_EFFECTS_NODE_TOPICS
from monodepth_ros.ros.nodes.depth.depth_node import DepthNode
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_TOPICS
from monodepth_ros.ros.nodes.depth.lidar_fusion_node import LidarFusionNode
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_TOPICS
from monodepth_ros.ros.nodes.navigation.pointcloud_node import PointCloudNode
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_TOPICS
from monodepth_ros.ros.nodes.sources.sim_scene_node import SimSceneNode
from monodepth_ros.ros.nodes.sources.sim_scene_params import SIM_SCENE_NODE_TOPICS
from monodepth_ros.ros.nodes.sources.video_source_node import VideoSourceNode
from monodepth_ros.ros.nodes.sources.video_source_params import VIDEO_SOURCE_NODE_TOPICS

NAMESPACE = "/topic_tables"
ROS_BUILT_INS = {"/parameter_events", "/rosout"}
CASES = {
    # node type, parameters that switch every optional topic on, table, listed topics this node does not create
    "depth_node": (DepthNode, {}, DEPTH_NODE_TOPICS, {"depth/relative_inverse"}),  # relative models only
    "lidar_fusion_node": (LidarFusionNode, {"scale_source": "lidar_then_ground"}, FUSION_NODE_TOPICS, set()),
    "pointcloud_node": (PointCloudNode, {"use_color": True}, POINTCLOUD_NODE_TOPICS, set()),
    "costmap_node": (CostmapNode, {"world_frame": "odom", "clear_from_depth": True}, COSTMAP_NODE_TOPICS, set()),
    "sim_scene_node": (SimSceneNode, {"image_width": 64, "image_height": 48}, SIM_SCENE_NODE_TOPICS,
                       {"/tf", "/tf_static"}),  # only with tf2_ros, which is not installed here
    "depth_effects_node": (DepthEffectsNode, {}, DEPTH_EFFECTS_NODE_TOPICS, set()),
    "video_source_node": (VideoSourceNode, {"playback": "consumed"}, VIDEO_SOURCE_NODE_TOPICS, set()),
}


def _relative(topic: str) -> str:
    return topic[len(NAMESPACE) + 1:] if topic.startswith(NAMESPACE + "/") else topic


def _message_type(message_class) -> str:
    return f"{message_class.__module__.split('.')[0]}/{message_class.__name__}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_topic_table_matches_the_node(ros_context, name):
    node_type, parameters, table, not_created = CASES[name]
    node = node_type(namespace=NAMESPACE, parameter_overrides=[Parameter(key, value=value)
                                                                for key, value in parameters.items()])
    try:
        created = {("out", _relative(publisher.topic_name), _message_type(publisher.msg_type))
                   for publisher in node.publishers if publisher.topic_name not in ROS_BUILT_INS}
        created |= {("in", _relative(subscription.topic_name), _message_type(subscription.msg_type))
                    for subscription in node.subscriptions if subscription.topic_name not in ROS_BUILT_INS}
    finally:
        node.destroy_node()
    listed = {(topic.direction, topic.name): topic.type for topic in table}
    for direction, topic, message_type in created:
        assert (direction, topic) in listed, f"{name} {direction} {topic} is missing from its topic table"
        assert listed[(direction, topic)].startswith(message_type), (topic, listed[(direction, topic)])
    created_names = {(direction, topic) for direction, topic, _ in created}
    absent = {topic for direction, topic in listed if (direction, topic) not in created_names}
    assert absent == not_created, f"{name} lists topics it does not have: {absent - not_created}"
