"""Synthetic camera + LiDAR scene -> the whole pipeline -> RViz.

ros2 launch monodepth_ros sim_demo.launch.py [rviz:=false]
The pipeline is told the sim's sensor poses through a generated parameters file (tf2 is preferred
by the nodes when the sim publishes TF).
"""
import os
import tempfile

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from launch import LaunchDescription
from monodepth_ros.core.sim.config import SimSceneConfig, pipeline_extrinsics


def sim_extrinsics_file() -> str:
    """A parameters file with the default sim's LiDAR and camera poses for the pipeline's nodes."""
    extrinsics = pipeline_extrinsics(SimSceneConfig())
    descriptor, path = tempfile.mkstemp(prefix="monodepth_sim_extrinsics_", suffix=".yaml")
    with os.fdopen(descriptor, "w") as stream:
        stream.write("/**/lidar_fusion_node:\n  ros__parameters:\n"
                     f"    lidar_pose_in_camera: {extrinsics['lidar_pose_in_camera']}\n"
                     "/**/costmap_node:\n  ros__parameters:\n"
                     f"    camera_pose_in_base: {extrinsics['camera_pose_in_base']}\n")
    return path


def generate_launch_description():
    share = get_package_share_directory("monodepth_ros")
    return LaunchDescription([
        DeclareLaunchArgument("rviz", default_value="true", description="Start RViz"),
        Node(package="monodepth_ros", executable="sim_scene_node", name="sim_scene_node", output="screen",
             parameters=[os.path.join(share, "config", "sim_scene.yaml")]),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, "launch", "pipeline.launch.py")),
            launch_arguments={"image": "image_raw", "extra_params_file": sim_extrinsics_file()}.items()),
        Node(package="rviz2", executable="rviz2", name="rviz2", condition=IfCondition(LaunchConfiguration("rviz")),
             arguments=["-d", os.path.join(share, "rviz", "monodepth.rviz")]),
    ])
