"""sensor_msgs/PointCloud2 <-> numpy structured arrays and (N, 3) xyz.

Readers return host-byte-order arrays, a view of ``data`` where the layout allows; writers pack points in host
byte order without padding beyond the dtype's own."""
from __future__ import annotations

import numpy as np
from sensor_msgs.msg import PointCloud2, PointField
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.buffers import (
    HOST_IS_BIGENDIAN,
    bytes_of,
    host_order_dtype,
    to_host_order,
    with_byte_order,
)
from monodepth_ros.ros.conversions.errors import ConversionError

POINT_FIELD_DTYPES: dict[int, np.dtype] = {
    PointField.INT8: np.dtype(np.int8),
    PointField.UINT8: np.dtype(np.uint8),
    PointField.INT16: np.dtype(np.int16),
    PointField.UINT16: np.dtype(np.uint16),
    PointField.INT32: np.dtype(np.int32),
    PointField.UINT32: np.dtype(np.uint32),
    PointField.FLOAT32: np.dtype(np.float32),
    PointField.FLOAT64: np.dtype(np.float64),
}
POINT_FIELD_DATATYPES: dict[np.dtype, int] = {dtype: datatype for datatype, dtype in POINT_FIELD_DTYPES.items()}
MAX_POINT_STEP = 1 << 16
"""Largest point_step read (bytes): far beyond any real point layout, small enough for numpy's structured dtypes."""
MAX_FIELDS = 256
"""Most PointFields read per cloud."""


def _cloud_dtype(msg: PointCloud2) -> np.dtype:
    """Structured dtype of one point of ``msg`` in the message's byte order, itemsize = point_step."""
    if msg.point_step > MAX_POINT_STEP:
        raise ConversionError(f"PointCloud2 point_step {msg.point_step} B is larger than {MAX_POINT_STEP} B")
    if len(msg.fields) > MAX_FIELDS:
        raise ConversionError(f"PointCloud2 has {len(msg.fields)} fields, more than {MAX_FIELDS}")
    names, formats, offsets = [], [], []
    for field in msg.fields:
        if field.datatype not in POINT_FIELD_DTYPES:
            raise ConversionError(f"PointField {field.name!r} has unknown datatype {field.datatype}; "
                                  "expected 1 (INT8) .. 8 (FLOAT64)")
        if not field.name:
            raise ConversionError("PointField with an empty name")
        if field.name in names:
            raise ConversionError(f"PointField {field.name!r} appears more than once")
        if not 1 <= field.count <= msg.point_step:
            raise ConversionError(f"PointField {field.name!r} has count {field.count}, expected 1 .. point_step "
                                  f"({msg.point_step})")
        element = with_byte_order(POINT_FIELD_DTYPES[field.datatype], bool(msg.is_bigendian))
        field_dtype = element if field.count == 1 else np.dtype((element, (field.count,)))
        if field.offset + field_dtype.itemsize > msg.point_step:
            raise ConversionError(f"PointField {field.name!r} ends at byte {field.offset + field_dtype.itemsize}, "
                                  f"beyond point_step {msg.point_step} B")
        names.append(field.name)
        formats.append(field_dtype)
        offsets.append(field.offset)
    try:
        return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": msg.point_step})
    except ValueError as error:  # e.g. overlapping fields numpy refuses
        raise ConversionError(f"PointCloud2 field layout cannot be read: {error}") from error


def pointcloud2_to_array(msg: PointCloud2) -> np.ndarray:
    """Points of ``msg`` as a flat (N = height x width) structured array, one named field per PointField.

    Host byte order; fields with count > 1 are sub-arrays; a view of ``msg.data`` when rows are unpadded and
    no byte swap is needed.
    """
    if not msg.fields:
        raise ConversionError("PointCloud2 has no fields")
    if msg.point_step == 0:
        raise ConversionError("PointCloud2 point_step is 0")
    dtype = _cloud_dtype(msg)
    count = msg.width * msg.height
    if count == 0:
        return np.zeros(0, dtype=host_order_dtype(dtype))
    row_bytes = msg.width * msg.point_step
    if msg.row_step < row_bytes:
        raise ConversionError(f"PointCloud2 row_step {msg.row_step} B is smaller than width {msg.width} x "
                              f"point_step {msg.point_step} B = {row_bytes} B")
    if len(msg.data) < msg.row_step * msg.height:
        raise ConversionError(f"PointCloud2 data is truncated: {len(msg.data)} B, expected row_step {msg.row_step} "
                              f"x height {msg.height} = {msg.row_step * msg.height} B")
    try:
        grid = np.ndarray((msg.height, msg.width), dtype=dtype, buffer=msg.data,
                          strides=(msg.row_step, msg.point_step))
        return to_host_order(grid.reshape(count))
    except (ValueError, TypeError) as error:
        raise ConversionError(f"PointCloud2 layout cannot be read: {error}") from error


def array_to_pointcloud2(points: np.ndarray, header: Header, is_dense: bool | None = None) -> PointCloud2:
    """PointCloud2 from a structured array: (N,) gives an unorganised cloud, (H, W) an organised one.

    Field offsets and the dtype's itemsize (padding included) become offsets and point_step. Field types:
    (u)int8/16/32 or float32/64, as scalars or 1-D sub-arrays (count > 1).
    ``is_dense`` None: True when every floating-point value is finite.
    """
    points = np.asarray(points)
    if points.dtype.names is None:
        raise ConversionError(f"points must be a structured array with named fields, got dtype {points.dtype}")
    if points.ndim not in (1, 2):
        raise ConversionError(f"points must have shape (N,) or (H, W), got {points.shape}")
    fields = []
    for name in points.dtype.names:
        field_dtype, offset = points.dtype.fields[name][:2]
        element, shape = (field_dtype.subdtype if field_dtype.subdtype else (field_dtype, ()))
        datatype = POINT_FIELD_DATATYPES.get(element.newbyteorder("="))
        if datatype is None or len(shape) > 1:
            raise ConversionError(f"field {name!r} has dtype {field_dtype}, which PointField cannot describe; "
                                  "use (u)int8/16/32 or float32/64, optionally as a 1-D sub-array")
        fields.append(PointField(name=name, offset=offset, datatype=datatype,
                                 count=int(shape[0]) if shape else 1))
    host_points = to_host_order(points)
    height, width = (1, points.shape[0]) if points.ndim == 1 else points.shape
    msg = PointCloud2()
    msg.header = header
    msg.height = height
    msg.width = width
    msg.fields = fields
    msg.is_bigendian = HOST_IS_BIGENDIAN
    msg.point_step = points.dtype.itemsize
    msg.row_step = width * points.dtype.itemsize
    msg.data = bytes_of(host_points)
    msg.is_dense = _all_floats_finite(host_points) if is_dense is None else bool(is_dense)
    return msg


def _all_floats_finite(points: np.ndarray) -> bool:
    return all(np.isfinite(points[name]).all() for name in points.dtype.names
               if np.issubdtype(points.dtype.fields[name][0].base, np.floating))


XYZ_DTYPE = np.dtype({"names": ["x", "y", "z"], "formats": [np.float32] * 3, "offsets": [0, 4, 8], "itemsize": 12})
XYZRGB_DTYPE = np.dtype({"names": ["x", "y", "z", "rgb"], "formats": [np.float32] * 4, "offsets": [0, 4, 8, 12],
                         "itemsize": 16})


def xyz_to_pointcloud2(xyz: np.ndarray, header: Header, rgb: np.ndarray | None = None) -> PointCloud2:
    """Unorganised cloud with float32 fields x, y, z (metres) from (N, 3) ``xyz``.

    With uint8 (N, 3) ``rgb`` a float32 field ``rgb`` is added whose bits are 0x00RRGGBB, as RViz expects.
    """
    xyz = np.asarray(xyz)
    if xyz.ndim != 2 or xyz.shape[1] != 3 or not np.issubdtype(xyz.dtype, np.floating):
        raise ConversionError(f"xyz must be floating point of shape (N, 3), got {xyz.dtype} {xyz.shape}")
    count = xyz.shape[0]
    if rgb is None:
        packed = np.empty((count, 3), dtype=np.float32)
        packed[:] = xyz
        return array_to_pointcloud2(packed.view(XYZ_DTYPE).reshape(count), header)
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.shape != (count, 3):
        raise ConversionError(f"rgb must be uint8 of shape ({count}, 3) to match xyz, got {rgb.dtype} {rgb.shape}")
    packed = np.empty((count, 4), dtype=np.float32)
    packed[:, :3] = xyz
    packed.view(np.uint32)[:, 3] = ((rgb[:, 0].astype(np.uint32) << 16) | (rgb[:, 1].astype(np.uint32) << 8)
                                    | rgb[:, 2])
    return array_to_pointcloud2(packed.view(XYZRGB_DTYPE).reshape(count), header)


def pointcloud2_to_xyz(msg: PointCloud2) -> np.ndarray:
    """float32 (N, 3) x, y, z of every point, non-finite points included."""
    points = pointcloud2_to_array(msg)
    names = points.dtype.names
    missing = [axis for axis in "xyz" if axis not in names]
    if missing:
        present = ", ".join(repr(name) for name in names)
        raise ConversionError(f"PointCloud2 lacks field(s) {', '.join(missing)}; it has {present}")
    xyz = np.empty((points.shape[0], 3), dtype=np.float32)
    for column, axis in enumerate("xyz"):
        if points.dtype.fields[axis][0].shape:
            raise ConversionError(f"PointCloud2 field {axis!r} has count > 1, expected one value per point")
        xyz[:, column] = points[axis]
    return xyz
