"""Gazebo (gz sim) camera and LiDAR -> ros_gz_bridge -> the whole pipeline.

Start your world with a camera and a (GPU) LiDAR sensor first, then:
ros2 launch monodepth_ros gazebo.launch.py gz_image:=/camera gz_camera_info:=/camera_info \
    gz_points:=/lidar/points gz_odom:=/model/robot/odometry [namespace:=robot1]
The bridge runs in the pipeline's namespace: the Gazebo topics appear as <namespace>/gz/image etc., where the
pipeline reads them (/clock stays global).
Gazebo names sensor frames '<model>/<link>/<sensor>' unless the sensor sets <gz_frame_id>; give the
pipeline matching frame names (camera_frame, lidar_frame) or publish TF (robot_state_publisher).
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from launch import LaunchDescription

ROS_TOPICS = {"gz_image": "gz/image", "gz_camera_info": "gz/camera_info", "gz_points": "gz/points_lidar",
              "gz_odom": "gz/odom"}
BRIDGED_TYPES = {
    "gz_image": "sensor_msgs/msg/Image[gz.msgs.Image",
    "gz_camera_info": "sensor_msgs/msg/CameraInfo[gz.msgs.CameraInfo",
    "gz_points": "sensor_msgs/msg/PointCloud2[gz.msgs.PointCloudPacked",
    "gz_odom": "nav_msgs/msg/Odometry[gz.msgs.Odometry",
}


def generate_launch_description():
    share = get_package_share_directory("monodepth_ros")
    arguments = [
        DeclareLaunchArgument("namespace", default_value="", description="Namespace of the bridge and the pipeline"),
        DeclareLaunchArgument("gz_image", default_value="/camera", description="Gazebo camera image topic"),
        DeclareLaunchArgument("gz_camera_info", default_value="/camera_info", description="Gazebo camera info topic"),
        DeclareLaunchArgument("gz_points", default_value="/lidar/points", description="Gazebo LiDAR points topic"),
        DeclareLaunchArgument("gz_odom", default_value="/odom", description="Gazebo odometry topic"),
        DeclareLaunchArgument("params_file", default_value="", description="Pipeline parameters file"),
        DeclareLaunchArgument("use_fusion", default_value="true", description="Fuse the Gazebo LiDAR"),
    ]
    namespace = LaunchConfiguration("namespace")
    bridge = Node(
        package="ros_gz_bridge", executable="parameter_bridge", name="monodepth_gz_bridge", namespace=namespace,
        output="screen",
        arguments=["/clock@rosgraph_msgs/msg/Clock[gz.msgs.Clock"]
        + [[LaunchConfiguration(name), "@", bridged] for name, bridged in BRIDGED_TYPES.items()],
        remappings=[(LaunchConfiguration(name), ros_topic) for name, ros_topic in ROS_TOPICS.items()],
        parameters=[{"use_sim_time": True}])
    pipeline = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(share, "launch", "pipeline.launch.py")),
        launch_arguments={"namespace": namespace, "image": ROS_TOPICS["gz_image"],
                          "camera_info": ROS_TOPICS["gz_camera_info"], "points_lidar": ROS_TOPICS["gz_points"],
                          "odom": ROS_TOPICS["gz_odom"],
                          "params_file": LaunchConfiguration("params_file"),
                          "use_fusion": LaunchConfiguration("use_fusion"), "use_sim_time": "true"}.items())
    return LaunchDescription(arguments + [bridge, pipeline])
