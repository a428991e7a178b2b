"""The whole pipeline: depth_node -> lidar_fusion_node -> pointcloud_node -> costmap_node.

ros2 launch monodepth_ros pipeline.launch.py image:=/camera/image_raw camera_info:=/camera/camera_info \
    points_lidar:=/lidar/points use_fusion:=true use_costmap:=true model:="" device:=cuda
The nodes, their names and remappings come from monodepth_ros.ros.runners.pipeline_graph (as in
monodepth-pipeline); sim:=true adds sim_scene_node as camera and LiDAR (see sim_demo.launch.py).
The processing nodes are managed nodes: use_lifecycle:=true starts them as launch_ros LifecycleNode actions
(for lifecycle event handlers), autostart:=false leaves them unconfigured for a lifecycle manager or
`ros2 lifecycle set /depth_node configure` (then activate).
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch_ros.actions import Node

from launch import LaunchDescription
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.ros.runners.pipeline_graph import INPUT_TOPICS, PACKAGE, pipeline_graph

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
    "sim": ("false", "Also run sim_scene_node (default scene) as camera and LiDAR, with its sensor poses"),
    "use_sim_time": ("false", "Use /clock (Gazebo, bags)"),
    "use_lifecycle": ("false", "Start the processing nodes as launch_ros LifecycleNode actions"),
    "autostart": ("true", "Processing nodes configure and activate themselves; false: they wait unconfigured "
                          "for lifecycle transitions (a lifecycle manager)"),
}


def pipeline_nodes(context):
    value = {name: context.launch_configurations[name] for name in ARGUMENTS}
    share = get_package_share_directory(PACKAGE)
    files = [value["params_file"] or os.path.join(share, "config", "pipeline.yaml")]
    files += [value["extra_params_file"]] if value["extra_params_file"] else []
    graph = pipeline_graph(use_fusion=value["use_fusion"] == "true", use_costmap=value["use_costmap"] == "true",
                           sim=SimSceneConfig() if value["sim"] == "true" else None,
                           inputs={topic: value[topic] for topic in INPUT_TOPICS},
                           model={name: value[name] for name in ("backend", "model", "device")},
                           autostart=value["autostart"] == "true")
    managed_action = Node
    if value["use_lifecycle"] == "true":
        from launch_ros.actions import LifecycleNode  # imported only where asked for, like the action itself

        managed_action = LifecycleNode
    return [(managed_action if entry.managed else Node)(
                package=PACKAGE, executable=entry.executable, name=entry.name, namespace=value["namespace"],
                output="screen", remappings=list(entry.remappings),
                parameters=files + [dict(entry.parameters), {"use_sim_time": value["use_sim_time"] == "true"}])
            for entry in graph]


def generate_launch_description():
    declared = [DeclareLaunchArgument(name, default_value=default, description=description)
                for name, (default, description) in ARGUMENTS.items()]
    return LaunchDescription(declared + [OpaqueFunction(function=pipeline_nodes)])
