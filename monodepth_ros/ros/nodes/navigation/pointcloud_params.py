"""Parameters and topics of pointcloud_node."""
from __future__ import annotations

from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec, below
from monodepth_ros.ros.common.shared_parameters import CAMERA_INFO_TOLERANCE, DIAGNOSTICS_PERIOD, RELIABILITY
from monodepth_ros.ros.common.shared_parameters import AUTOSTART
from monodepth_ros.ros.common.topic_specs import TopicSpec

POINTCLOUD_NODE_PARAMETERS = NodeParameters((
    ParameterSpec("decimation", 1, "Use every N-th pixel in both image axes (1 = every pixel)",
                  minimum=1, maximum=16),
    ParameterSpec("min_depth_m", 0.1, "Pixels whose depth along the optical axis (z) is below this are dropped "
                  "(metres); must stay below max_depth_m", minimum=0.0, maximum=1000.0),
    ParameterSpec("max_depth_m", 20.0, "Pixels whose depth along the optical axis (z) is above this are dropped "
                  "(metres)", minimum=0.01, maximum=1000.0),
    ParameterSpec("discontinuity_ratio", 0.05, "Drop pixels whose 3x3 neighbourhood spans more than this "
                  "fraction of their depth: the flying pixels smeared across object edges; 0 = off",
                  minimum=0.0, maximum=10.0),
    ParameterSpec("voxel_size_m", 0.0, "Edge of the voxels that merge points into their mean (metres); 0 = off",
                  minimum=0.0, maximum=10.0),
    ParameterSpec("outlier_neighbours", 0, "Statistical outlier removal: neighbours compared per point; 0 = off",
                  minimum=0, maximum=100),
    ParameterSpec("outlier_std_ratio", 2.0, "Statistical outlier removal: a point whose mean neighbour distance "
                  "exceeds the cloud's mean by this many standard deviations is dropped", minimum=0.01, maximum=100.0),
    ParameterSpec("use_color", False, "Subscribe to image and publish xyzrgb points (the image may have another "
                  "resolution than the depth image)", read_only=True),
    RELIABILITY,
    CAMERA_INFO_TOLERANCE,
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
), renamed={"min_range_m": "min_depth_m", "max_range_m": "max_depth_m", "depth_reliability": RELIABILITY.name},
   relations=(below("min_depth_m", "max_depth_m"),))

POINTCLOUD_NODE_TOPICS = (
    TopicSpec("in", "depth/image", "sensor_msgs/Image `32FC1` (metres) or `16UC1`/`mono16` (mm)",
              "remap it to `depth/fused` behind the fusion node (the launch files and `monodepth-pipeline` do)"),
    TopicSpec("in", "depth/camera_info", "sensor_msgs/CameraInfo",
              "any resolution of the same view (scaled to the depth image, e.g. the camera's own camera_info); "
              "paired as in depth_node"),
    TopicSpec("in", "image", "sensor_msgs/Image, a colour encoding of depth_node's `image`",
              "only with `use_color`; any resolution of the same view; matched within `camera_info_tolerance_s`, "
              "waiting up to 0.1 s"),
    TopicSpec("out", "points", "sensor_msgs/PointCloud2",
              "float32 `x`, `y`, `z` in metres (+ float32 `rgb`, bits `0x00RRGGBB`, with `use_color`); frame and "
              "stamp of the depth image"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`points`, `depth_reliability` (the policy in use), `decode_ms`, `unproject_ms`, `filter_ms`, "
              "`publish_ms`, `total_ms`"),
)
