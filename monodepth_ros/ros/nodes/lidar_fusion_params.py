"""Parameters of lidar_fusion_node."""
from __future__ import annotations

from monodepth_ros.ros.common.parameters import ParameterSpec, pose7_check
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

FUSION_NODE_PARAMETERS = (
    ParameterSpec("camera_frame", "camera_optical_frame", "Camera optical frame that lidar_pose_in_camera "
                  "refers to (depth images in other frames need tf2)", read_only=True),
    ParameterSpec("lidar_frame", "lidar", "LiDAR frame that lidar_pose_in_camera refers to", read_only=True),
    ParameterSpec("lidar_pose_in_camera", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
                  "Pose of the LiDAR frame in the camera optical frame [x, y, z, qx, qy, qz, qw] "
                  "(metres); used when tf2 has no transform", read_only=True,
                  check=pose7_check("lidar_pose_in_camera")),
    ParameterSpec("lidar_time_tolerance_s", 0.1, "Largest stamp difference between a depth image and "
                  "the LiDAR cloud fused into it (seconds)", minimum=0.0, maximum=5.0),
    ParameterSpec("camera_info_tolerance_s", 0.1, "Largest stamp difference between a depth image and "
                  "its camera_info (seconds)", minimum=0.0, maximum=10.0),
    ParameterSpec("min_depth_m", 0.1, "LiDAR points and fused depth nearer than this are ignored / NaN",
                  minimum=0.0, maximum=1000.0),
    ParameterSpec("max_depth_m", 80.0, "LiDAR points and fused depth farther than this are ignored / NaN",
                  minimum=0.01, maximum=1000.0),
    ParameterSpec("min_points", 20, "Fewer valid LiDAR points than this: depth passes through",
                  minimum=3, maximum=100000, read_only=True),
    ParameterSpec("local_strength", 1.0, "Fraction of the spatially varying, edge-aware correction "
                  "applied on top of the global fit (0 = global scale only)", minimum=0.0, maximum=1.0,
                  read_only=True),
    ParameterSpec("temporal_time_constant_frames", 5.0, "Time constant of the scale smoothing (frames; "
                  "0 = off); a change confirmed by two frames is followed at once", minimum=0.0,
                  maximum=1000.0, read_only=True),
    ParameterSpec("input_reliability", "auto", "Reliability of all subscriptions; auto matches the "
                  "publishers", choices=RELIABILITY_CHOICES, read_only=True),
    ParameterSpec("diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)",
                  minimum=0.1, maximum=60.0, read_only=True),
)

