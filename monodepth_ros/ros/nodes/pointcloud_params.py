"""Parameters of pointcloud_node."""
from __future__ import annotations

from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

POINTCLOUD_NODE_PARAMETERS = (
    ParameterSpec("decimation", 1, "Use every N-th pixel in both image axes (1 = every pixel)",
                  minimum=1, maximum=16),
    ParameterSpec("min_range_m", 0.1, "Pixels whose depth along the optical axis (z) is below this are dropped "
                  "(metres)", minimum=0.0, maximum=1000.0),
    ParameterSpec("max_range_m", 20.0, "Pixels whose depth along the optical axis (z) is above this are dropped "
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
    ParameterSpec("depth_reliability", "auto", "Reliability of the depth/image, depth/camera_info and image "
                  "subscriptions; auto matches the publishers", choices=RELIABILITY_CHOICES, read_only=True),
    ParameterSpec("camera_info_tolerance_s", 0.1, "Largest stamp difference for pairing a depth image with a "
                  "camera_info and a colour image (seconds)", minimum=0.0, maximum=10.0),
    ParameterSpec("diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)",
                  minimum=0.1, maximum=60.0, read_only=True),
)
