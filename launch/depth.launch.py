"""Start depth_node: image + camera_info -> depth/image (metres).

ros2 launch monodepth_ros depth.launch.py image:=/camera/image_raw camera_info:=/camera/camera_info \
    backend:=fastdepth model:="" device:=auto params_file:=/path/to/depth.yaml
depth_node is a managed node: use_lifecycle:=true starts it as a launch_ros LifecycleNode action, autostart:=false
leaves it unconfigured for a lifecycle manager or `ros2 lifecycle set /depth_node configure` (then activate).
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition, UnlessCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node
from launch_ros.parameter_descriptions import ParameterValue

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
        DeclareLaunchArgument("use_lifecycle", default_value="false",
                              description="Start depth_node as a launch_ros LifecycleNode action"),
        DeclareLaunchArgument("autostart", default_value="true",
                              description="Configure and activate at start-up; false: wait for lifecycle transitions"),
    ]
    depth_node = dict(
        package="monodepth_ros", executable="depth_node", name="depth_node",
        namespace=LaunchConfiguration("namespace"), output="screen",
        parameters=[LaunchConfiguration("params_file"),
                    {"backend": LaunchConfiguration("backend"), "model": LaunchConfiguration("model"),
                     "device": LaunchConfiguration("device"),
                     "autostart": ParameterValue(LaunchConfiguration("autostart"), value_type=bool)}],
        remappings=[("image", LaunchConfiguration("image")),
                    ("camera_info", LaunchConfiguration("camera_info"))],
    )
    use_lifecycle = LaunchConfiguration("use_lifecycle")
    return LaunchDescription(arguments + [Node(condition=UnlessCondition(use_lifecycle), **depth_node),
                                          LifecycleNode(condition=IfCondition(use_lifecycle), **depth_node)])
