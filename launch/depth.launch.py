"""Start depth_node: image + camera_info -> depth/image (metres).

ros2 launch monodepth_ros depth.launch.py image:=/camera/image_raw camera_info:=/camera/camera_info \
    backend:=fastdepth model:="" device:=auto params_file:=/path/to/depth.yaml
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from launch import LaunchDescription


def generate_launch_description():
    share = get_package_share_directory("monodepth_ros")
    arguments = [
        DeclareLaunchArgument("namespace", default_value="", description="Namespace of the node and its topics"),
        DeclareLaunchArgument("image", default_value="image", description="Input image topic"),
        DeclareLaunchArgument("camera_info", default_value="camera_info", description="Input camera_info topic"),
        DeclareLaunchArgument("params_file", default_value=os.path.join(share, "config", "depth.yaml"),
                              description="depth_node parameters file"),
        DeclareLaunchArgument("backend", default_value="fastdepth", description="fastdepth | onnx | hf"),
        DeclareLaunchArgument("model", default_value="", description="ONNX file, hub id or folder"),
        DeclareLaunchArgument("device", default_value="auto", description="auto | cpu | cuda | cuda:N"),
    ]
    depth_node = Node(
        package="monodepth_ros", executable="depth_node", name="depth_node",
        namespace=LaunchConfiguration("namespace"), output="screen",
        parameters=[LaunchConfiguration("params_file"),
                    {"backend": LaunchConfiguration("backend"), "model": LaunchConfiguration("model"),
                     "device": LaunchConfiguration("device")}],
        remappings=[("image", LaunchConfiguration("image")),
                    ("camera_info", LaunchConfiguration("camera_info"))],
    )
    return LaunchDescription(arguments + [depth_node])
