"""Synthetic camera + LiDAR scene -> the whole pipeline -> RViz.

ros2 launch monodepth_ros sim_demo.launch.py [rviz:=false]
pipeline.launch.py with sim:=true: sim_scene_node joins the pipeline, whose nodes get the sim's sensor poses
as parameters (tf2 is preferred by the nodes when the sim publishes TF).
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from launch import LaunchDescription


def generate_launch_description():
    share = get_package_share_directory("monodepth_ros")
    return LaunchDescription([
        DeclareLaunchArgument("rviz", default_value="true", description="Start RViz"),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(share, "launch", "pipeline.launch.py")),
            launch_arguments={"sim": "true"}.items()),
        Node(package="rviz2", executable="rviz2", name="rviz2", condition=IfCondition(LaunchConfiguration("rviz")),
             arguments=["-d", os.path.join(share, "rviz", "monodepth.rviz")]),
    ])
