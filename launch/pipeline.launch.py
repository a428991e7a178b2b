"""The whole pipeline: depth_node -> lidar_fusion_node -> pointcloud_node -> costmap_node.

ros2 launch monodepth_ros pipeline.launch.py image:=/camera/image_raw camera_info:=/camera/camera_info \
    points_lidar:=/lidar/points use_fusion:=true use_costmap:=true model:="" device:=cuda
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch_ros.actions import Node

from launch import LaunchDescription

ARGUMENTS = {
    "namespace": ("", "Namespace of every node and topic"),
    "image": ("image", "Camera image topic"),
    "camera_info": ("camera_info", "Camera info topic"),
    "points_lidar": ("points_lidar", "Sparse LiDAR PointCloud2 topic (fusion)"),
    "odom": ("odom", "Odometry topic (costmap window motion when tf2 has no odom->base)"),
    "params_file": ("", "Parameters file (default: share/monodepth_ros/config/pipeline.yaml)"),
    "extra_params_file": ("", "A second parameters file applied on top (e.g. sensor extrinsics)"),
    "backend": ("fastdepth", "fastdepth | onnx | hf"),
    "model": ("", "ONNX file, Hugging Face hub id or folder; empty = embedded FastDepth"),
    "device": ("auto", "auto | cpu | cuda | cuda:N"),
    "use_fusion": ("true", "Run lidar_fusion_node and build clouds from depth/fused"),
    "use_costmap": ("true", "Run costmap_node"),
    "use_sim_time": ("false", "Use /clock (Gazebo, bags)"),
}


def pipeline_nodes(context):
    value = {name: context.launch_configurations[name] for name in ARGUMENTS}
    share = get_package_share_directory("monodepth_ros")
    files = [value["params_file"] or os.path.join(share, "config", "pipeline.yaml")]
    files += [value["extra_params_file"]] if value["extra_params_file"] else []
    parameters = files + [{"use_sim_time": value["use_sim_time"] == "true"}]
    fusion = value["use_fusion"] == "true"
    depth_for_clouds = "depth/fused" if fusion else "depth/image"
    common = {"package": "monodepth_ros", "namespace": value["namespace"], "output": "screen"}
    nodes = [Node(executable="depth_node", name="depth_node", **common,
                  parameters=parameters + [{"backend": value["backend"], "model": value["model"],
                                            "device": value["device"]}],
                  remappings=[("image", value["image"]), ("camera_info", value["camera_info"])])]
    if fusion:
        nodes.append(Node(executable="lidar_fusion_node", name="lidar_fusion_node", **common, parameters=parameters,
                          remappings=[("points_lidar", value["points_lidar"])]))
    nodes.append(Node(executable="pointcloud_node", name="pointcloud_node", **common, parameters=parameters,
                      remappings=[("depth/image", depth_for_clouds), ("image", value["image"])]))
    if value["use_costmap"] == "true":
        nodes.append(Node(executable="costmap_node", name="costmap_node", **common, parameters=parameters,
                          remappings=[("depth/image", depth_for_clouds), ("odom", value["odom"])]))
    return nodes


def generate_launch_description():
    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, (default, description) in ARGUMENTS.items()]
    return LaunchDescription(declared + [OpaqueFunction(function=pipeline_nodes)])
