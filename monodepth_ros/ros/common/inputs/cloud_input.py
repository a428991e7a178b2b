"""Points of a PointCloud2 input, with a warning (once) when its coordinates are not floating point."""
from __future__ import annotations

import numpy as np
from sensor_msgs.msg import PointCloud2

from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.conversions.pointcloud2 import POINT_FIELD_DTYPES, pointcloud2_to_xyz


def cloud_xyz(cloud: PointCloud2, problems: ProblemLog, topic: str) -> np.ndarray:
    """float32 (N, 3) x, y, z (metres) of ``cloud``; integer-typed coordinates are read as metres too, with one
    warning per topic (raises ConversionError like pointcloud2_to_xyz)."""
    xyz = pointcloud2_to_xyz(cloud)
    integer = [f"{field.name} ({POINT_FIELD_DTYPES[field.datatype]})" for field in cloud.fields
               if field.name in ("x", "y", "z") and not np.issubdtype(POINT_FIELD_DTYPES[field.datatype], np.floating)]
    if integer:
        problems.note(f"integer fields:{topic}", f"clouds on {topic} have integer coordinates {', '.join(integer)}: "
                      "they are read as metres; if they are scaled (e.g. millimetres), convert them to float32 metres")
    return xyz
