"""Parameters and topics of sim_scene_node: the scene (read-only, see SimSceneConfig), publishing rate and frame
ids."""
from __future__ import annotations

from monodepth_ros.core.sim.config import ENVIRONMENTS, SimSceneConfig
from monodepth_ros.ros.common.parameters import (
    Check,
    NodeParameters,
    ParameterSpec,
    ParameterTable,
    config_from_parameters,
    config_parameter,
    pose7_check,
)
from monodepth_ros.ros.common.topic_specs import TopicSpec

SCENE_DEFAULTS = SimSceneConfig()
POSE7_DESCRIPTION = "[x, y, z, qx, qy, qz, qw] in base_link (metres, unit quaternion)"


def _pair(name: str) -> Check:
    return Check("2 values", lambda values: None if len(values) == 2 else f"{name} needs 2 values")


def _scene(name: str, description: str, **constraints) -> ParameterSpec:
    return config_parameter(SCENE_DEFAULTS, name, description, **constraints)


SIM_SCENE_NODE_PARAMETERS = NodeParameters((
    _scene("seed", "Seed of the procedural scene; equal seeds give equal scenes", minimum=0, maximum=2**31 - 1),
    _scene("environment", "indoor (walled room with ceiling) or outdoor (open ground, sky)", choices=ENVIRONMENTS),
    _scene("image_width", "Camera image width (pixels)", minimum=16, maximum=4096),
    _scene("image_height", "Camera image height (pixels)", minimum=16, maximum=4096),
    _scene("fov_deg", "Horizontal field of view of the camera (degrees); square pixels",
           minimum=1.0, maximum=179.0),
    _scene("lidar_beams", "Number of LiDAR beams (rings)", minimum=1, maximum=256),
    _scene("lidar_vertical_fov_deg", "Elevation of the lowest and highest beam [min, max] (degrees)",
           minimum=-90.0, maximum=90.0, check=_pair("lidar_vertical_fov_deg")),
    _scene("lidar_horizontal_resolution_deg", "Azimuth step between LiDAR rays (degrees)",
           minimum=0.01, maximum=360.0),
    _scene("lidar_range_noise_m", "Standard deviation of the gaussian LiDAR range noise (metres)",
           minimum=0.0, maximum=1.0),
    _scene("lidar_dropout", "Fraction of LiDAR returns removed at random", minimum=0.0, maximum=0.99),
    _scene("lidar_max_range_m", "LiDAR returns beyond this range are dropped (metres)", minimum=0.1, maximum=1000.0),
    _scene("camera_pose_in_base", f"Camera OPTICAL frame (x right, y down, z forward) pose {POSE7_DESCRIPTION}; "
           "other nodes read it", minimum=-100.0, maximum=100.0, check=pose7_check("camera_pose_in_base")),
    _scene("lidar_pose_in_base", f"LiDAR frame (x forward, z up) pose {POSE7_DESCRIPTION}; other nodes read it",
           minimum=-100.0, maximum=100.0, check=pose7_check("lidar_pose_in_base")),
    _scene("area_size_m", "Room interior (indoor) or obstacle area (outdoor) [x, y] around the origin (metres)",
           minimum=1.0, maximum=1000.0, check=_pair("area_size_m")),
    _scene("wall_height_m", "Height of walls and ceiling indoors (metres)", minimum=0.1, maximum=100.0),
    _scene("box_count", "Number of boxes", minimum=0, maximum=500),
    _scene("pillar_count", "Number of cylindrical pillars", minimum=0, maximum=500),
    _scene("path_speed_mps", "Speed of base_link along its path (m/s); 0 stands still", minimum=0.0, maximum=20.0),
    _scene("path_semi_axes_m", "Semi-axes [x, y] of the elliptical path around the origin (metres)",
           minimum=0.1, maximum=500.0, check=_pair("path_semi_axes_m")),
    _scene("path_clearance_m", "Free space kept between the path and every obstacle (metres)",
           minimum=0.01, maximum=100.0),
    _scene("visitor_distance_m", "A person-sized box this far ahead of the start pose, on the path (metres); "
           "0 = no visitor", minimum=0.0, maximum=100.0),
    _scene("visitor_leaves_s", "Path time from which the visitor is gone (seconds); 0 = it stays",
           minimum=0.0, maximum=1e6),
    _scene("mover_distance_m", "A person-sized box walking across the path this far ahead of the start pose "
           "(metres); 0 = no mover", minimum=0.0, maximum=100.0),
    _scene("mover_speed_mps", "Walking speed of the mover (m/s)", minimum=0.0, maximum=10.0),
    _scene("mover_span_m", "The mover walks between span/2 left and span/2 right of the path (metres)",
           minimum=0.1, maximum=100.0),
    ParameterSpec("rate_hz", 10.0, "Frames per second (camera, depth, LiDAR, odometry)", minimum=0.1,
                  maximum=100.0, read_only=True),
    ParameterSpec("start_time_s", 0.0, "Path time of the first frame (seconds); moves the start along the path",
                  minimum=0.0, maximum=1e6, read_only=True),
    ParameterSpec("publish_lidar", True, "Publish points_lidar"),
    ParameterSpec("frame_prefix", "", "Prefix of every frame id (e.g. 'robot1/')", read_only=True),
    ParameterSpec("world_frame", "odom", "Frame the base moves in (odometry parent)", read_only=True),
    ParameterSpec("base_frame", "base_link", "Robot base frame, on the floor", read_only=True),
    ParameterSpec("camera_frame", "camera_optical_frame", "Camera optical frame of image_raw and depth",
                  read_only=True),
    ParameterSpec("lidar_frame", "lidar", "Frame of points_lidar", read_only=True),
))

SIM_SCENE_NODE_TOPICS = (
    TopicSpec("out", "image_raw", "sensor_msgs/Image `rgb8`",
              "`camera_frame`; rendered only while `image_raw`, `camera_info` or `depth/ground_truth` has a "
              "subscriber"),
    TopicSpec("out", "camera_info", "sensor_msgs/CameraInfo", "K and P, no distortion, principal point at the image "
              "centre"),
    TopicSpec("out", "depth/ground_truth", "sensor_msgs/Image `32FC1`", "true z-depth in metres, NaN = no hit, "
              "`camera_frame`"),
    TopicSpec("out", "points_lidar", "sensor_msgs/PointCloud2 `x`, `y`, `z`",
              "`lidar_frame`; only while subscribed and `publish_lidar` is true"),
    TopicSpec("out", "odom", "nav_msgs/Odometry",
              "true pose of `base_frame` in `world_frame`, forward speed and yaw rate in the base frame"),
    TopicSpec("out", "/tf_static", "tf2_msgs/TFMessage", "base -> camera and base -> lidar; only where `tf2_ros` is "
              "installed (not in the pip venv)"),
    TopicSpec("out", "/tf", "tf2_msgs/TFMessage", "world -> base; only where `tf2_ros` is installed"),
)


def sim_scene_config_from(table: ParameterTable) -> SimSceneConfig:
    """The SimSceneConfig described by the node's parameters; raises ValueError for an inconsistent scene."""
    return config_from_parameters(SimSceneConfig, table)
