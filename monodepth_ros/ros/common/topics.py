"""Topic names that several nodes share (relative; remapped by users)."""
from __future__ import annotations

from monodepth_ros.core.depth.types import DepthKind

DEPTH_TOPIC = {DepthKind.METRIC: "depth/image", DepthKind.RELATIVE_INVERSE: "depth/relative_inverse"}
"""Where depth_node publishes each kind of depth; lidar_fusion_node subscribes to both."""
