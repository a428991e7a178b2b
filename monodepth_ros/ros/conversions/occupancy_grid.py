"""nav_msgs/OccupancyGrid <-> int8 cell arrays."""
from __future__ import annotations

import array

import numpy as np
from nav_msgs.msg import OccupancyGrid
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.errors import ConversionError


def occupancy_grid_msg(values: np.ndarray, resolution_m: float, origin_xy_m: tuple[float, float],
                       header: Header) -> OccupancyGrid:
    """OccupancyGrid from int8 (H, W) ``values`` (-1 unknown, 0..100 occupancy) laid out as the message's data:
    row index along the frame's y, column index along x, cell [0, 0] with its lower-left corner at ``origin_xy_m``
    (metres, in ``header.frame_id``), axes aligned with the frame."""
    values = np.asarray(values)
    if values.dtype != np.int8 or values.ndim != 2 or values.size == 0:
        raise ConversionError(f"occupancy values must be int8 of shape (H, W), got {values.dtype} {values.shape}")
    if not resolution_m > 0.0:
        raise ConversionError(f"resolution_m must be positive, got {resolution_m}")
    msg = OccupancyGrid()
    msg.header = header
    msg.info.map_load_time = header.stamp
    msg.info.resolution = float(resolution_m)
    msg.info.height, msg.info.width = values.shape
    msg.info.origin.position.x, msg.info.origin.position.y = (float(value) for value in origin_xy_m)
    msg.info.origin.orientation.w = 1.0
    data = array.array("b")
    data.frombytes(np.ascontiguousarray(values).tobytes())
    msg.data = data
    return msg


def occupancy_grid_to_array(msg: OccupancyGrid) -> np.ndarray:
    """int8 (height, width) values of an OccupancyGrid, row index along y (a copy of ``msg.data``)."""
    height, width = msg.info.height, msg.info.width
    if len(msg.data) != height * width:
        raise ConversionError(f"OccupancyGrid has {len(msg.data)} values for {width}x{height} cells")
    return np.array(msg.data, dtype=np.int8).reshape(height, width)
