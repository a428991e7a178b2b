"""Parameters and topics of lidar_fusion_node."""
from __future__ import annotations

from monodepth_ros.core.fusion.scale_source import SCALE_SOURCES
from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec, below, frame_check, pose7_check
from monodepth_ros.ros.common.shared_parameters import (
    AUTOSTART,
    CAMERA_INFO_TOLERANCE,
    DIAGNOSTICS_PERIOD,
    RELIABILITY,
    STABILISER_PARAMETERS,
    TEMPORAL_CONSISTENCY,
)
from monodepth_ros.ros.common.topic_specs import TopicSpec

FUSION_NODE_PARAMETERS = NodeParameters((
    ParameterSpec("scale_source", "lidar", "Where the metric scale comes from: lidar (points_lidar), ground_plane "
                  "(the floor at the camera's height from camera_pose_in_base; no LiDAR needed) or "
                  "lidar_then_ground (LiDAR when a frame has points that fit, else the ground plane)",
                  read_only=True, choices=SCALE_SOURCES),
    ParameterSpec("camera_frame", "camera_optical_frame", "Camera optical frame that lidar_pose_in_camera "
                  "refers to (depth images in other frames need tf2)", read_only=True,
                  check=frame_check("camera_frame")),
    ParameterSpec("lidar_frame", "lidar", "LiDAR frame that lidar_pose_in_camera refers to", read_only=True,
                  check=frame_check("lidar_frame")),
    ParameterSpec("lidar_pose_in_camera", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
                  "Pose of the LiDAR frame in the camera optical frame [x, y, z, qx, qy, qz, qw] "
                  "(metres); used when tf2 has no transform", read_only=True,
                  check=pose7_check("lidar_pose_in_camera")),
    ParameterSpec("base_frame", "base_link", "Robot base frame on the floor, z up (ground-plane scale)",
                  read_only=True, check=frame_check("base_frame")),
    ParameterSpec("camera_pose_in_base", [0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5],
                  "Pose of camera_frame in base_frame [x, y, z, qx, qy, qz, qw] (metres), as costmap_node takes "
                  "it; gives the camera height and the floor's normal (ground-plane scale); used when tf2 has no "
                  "transform", read_only=True, check=pose7_check("camera_pose_in_base")),
    ParameterSpec("image_time_tolerance_s", 0.1, "Largest stamp difference between a depth image and the camera "
                  "image used for its optical flow and floor appearance (seconds)", minimum=0.0, maximum=5.0),
    ParameterSpec("lidar_time_tolerance_s", 0.1, "Largest stamp difference between a depth image and "
                  "the LiDAR cloud fused into it (seconds)", minimum=0.0, maximum=5.0),
    CAMERA_INFO_TOLERANCE,
    ParameterSpec("min_depth_m", 0.1, "LiDAR points and fused depth nearer than this are ignored / NaN (metres); "
                  "must stay below max_depth_m",
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
    TEMPORAL_CONSISTENCY,
    *STABILISER_PARAMETERS,
    RELIABILITY,
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
), renamed={"input_reliability": RELIABILITY.name}, relations=(below("min_depth_m", "max_depth_m"),))

FUSION_NODE_TOPICS = (
    TopicSpec("in", "depth/image", "sensor_msgs/Image `32FC1` (metres) or `16UC1`/`mono16` (mm)", "metric models"),
    TopicSpec("in", "depth/relative_inverse", "sensor_msgs/Image `32FC1`", "relative models"),
    TopicSpec("in", "depth/camera_info", "sensor_msgs/CameraInfo",
              "paired as in depth_node: nearest stamp within `camera_info_tolerance_s`, else the newest"),
    TopicSpec("in", "points_lidar", "sensor_msgs/PointCloud2 with float `x`, `y`, `z`, any frame",
              "not with `scale_source: ground_plane`; cloud nearest the depth stamp within `lidar_time_tolerance_s`; "
              "a depth image waits up to 50 ms for "
              "a cloud still on its way"),
    TopicSpec("in", "image", "sensor_msgs/Image (`rgb8`, `bgr8`, `mono8`, ...)",
              "the camera image depth_node read (matched within `image_time_tolerance_s`): the stabiliser's optical "
              "flow (without it depth/fused is not stabilised, warned once) and, with `scale_source` `ground_plane` "
              "or `lidar_then_ground`, the floor's look (obstacles stand at its end)"),
    TopicSpec("out", "depth/fused", "sensor_msgs/Image `32FC1`",
              "metres, NaN = invalid or outside [`min_depth_m`, `max_depth_m`]; header of the depth image; with "
              "`temporal_consistency` stabilised after the correction (the LiDAR scale is what it tracks)"),
    TopicSpec("out", "depth/fused_confidence", "sensor_msgs/Image `32FC1`",
              "0..1 per pixel as depth_node's `depth/confidence`, of depth/fused; header of the depth image; "
              "only while subscribed and stabilised"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`status` (`fused`: LiDAR, `ground_plane`, `held`, `passthrough`, `no_depth`), `status_reason`, "
              "`scale_source`, `scale`, `shift`, `inliers`, `points_used`, `residual`, `ground_confidence`, "
              "`extrinsics` (`tf2` or `parameters`), `temporal_consistency` (on/off), `stabiliser_reset`"),
)
