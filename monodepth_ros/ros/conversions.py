"""Conversions between sensor_msgs messages and numpy arrays.

Images follow REP 118 for depth: 32FC1 in metres, 16UC1 in millimetres with 0 meaning "no reading".
Readers return host-byte-order arrays and avoid copies where the layout allows, so a returned array may share
memory with the message's ``data``. Writers always fill ``data`` in host byte order without row or point padding
beyond what the array's own dtype carries.
"""
from __future__ import annotations

import array
import sys
from dataclasses import dataclass

import numpy as np
from geometry_msgs.msg import Pose, Transform, TransformStamped
from nav_msgs.msg import OccupancyGrid
from sensor_msgs.msg import CameraInfo, Image, PointCloud2, PointField
from std_msgs.msg import Header

from monodepth_ros.core.transforms import transform_from_pose7
from monodepth_ros.core.types import Intrinsics

HOST_IS_BIGENDIAN = sys.byteorder == "big"


class ConversionError(ValueError):
    """A message cannot be converted: unsupported encoding, inconsistent sizes, invalid calibration."""


@dataclass(frozen=True)
class PixelFormat:
    """Per-pixel layout of an image encoding."""

    dtype: np.dtype
    channels: int

    @property
    def bytes_per_pixel(self) -> int:
        return self.dtype.itemsize * self.channels


IMAGE_ENCODINGS: dict[str, PixelFormat] = {
    "mono8": PixelFormat(np.dtype(np.uint8), 1),
    "mono16": PixelFormat(np.dtype(np.uint16), 1),
    "rgb8": PixelFormat(np.dtype(np.uint8), 3),
    "bgr8": PixelFormat(np.dtype(np.uint8), 3),
    "rgba8": PixelFormat(np.dtype(np.uint8), 4),
    "bgra8": PixelFormat(np.dtype(np.uint8), 4),
    "8UC1": PixelFormat(np.dtype(np.uint8), 1),
    "8UC3": PixelFormat(np.dtype(np.uint8), 3),
    "16UC1": PixelFormat(np.dtype(np.uint16), 1),
    "16SC1": PixelFormat(np.dtype(np.int16), 1),
    "32FC1": PixelFormat(np.dtype(np.float32), 1),
}
"""Supported encodings. 8UC3 is taken to be BGR, the OpenCV order that cv_bridge's "passthrough" produces."""

COLOUR_ENCODINGS = ("mono8", "mono16", "rgb8", "bgr8", "rgba8", "bgra8", "8UC1", "8UC3")
MILLIMETRE_DEPTH_ENCODINGS = ("16UC1", "mono16")
DEPTH_ENCODINGS = ("32FC1", "16UC1")

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


def _pixel_format(encoding: str) -> PixelFormat:
    try:
        return IMAGE_ENCODINGS[encoding]
    except KeyError:
        raise ConversionError(f"unsupported image encoding {encoding!r}; supported: "
                              f"{', '.join(IMAGE_ENCODINGS)}") from None


def _with_byte_order(dtype: np.dtype, is_bigendian: bool) -> np.dtype:
    return dtype.newbyteorder(">" if is_bigendian else "<")


def _host_order_dtype(dtype: np.dtype) -> np.dtype:
    """``dtype`` with every (sub)field in host byte order."""
    return dtype.newbyteorder("=")


def _to_host_order(values: np.ndarray) -> np.ndarray:
    """``values`` unchanged when already in host byte order, else a byte-swapped copy."""
    if values.dtype.isnative:
        return values
    return values.astype(_host_order_dtype(values.dtype))


def _bytes_of(values: np.ndarray) -> array.array:
    """The bytes of ``values`` (C order) as the ``array('B')`` that message ``data`` fields store, one copy."""
    data = array.array("B")
    data.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return data


def image_to_array(msg: Image) -> np.ndarray:
    """Pixels of ``msg`` as (H, W) for one channel or (H, W, C), in host byte order, dtype from the encoding.

    A view of ``msg.data`` (row padding skipped through strides) unless the data must be byte-swapped.
    """
    pixel = _pixel_format(msg.encoding)
    width, height, step = msg.width, msg.height, msg.step
    if width <= 0 or height <= 0:
        raise ConversionError(f"{msg.encoding} image has no pixels: width={width}, height={height}")
    row_bytes = width * pixel.bytes_per_pixel
    if step < row_bytes:
        raise ConversionError(f"{msg.encoding} image step {step} B is smaller than width {width} x "
                              f"{pixel.bytes_per_pixel} B/pixel = {row_bytes} B")
    if len(msg.data) < step * height:
        raise ConversionError(f"{msg.encoding} image data is truncated: {len(msg.data)} B, expected step {step} x "
                              f"height {height} = {step * height} B")
    dtype = _with_byte_order(pixel.dtype, bool(msg.is_bigendian))
    if pixel.channels == 1:
        shape, strides = (height, width), (step, pixel.bytes_per_pixel)
    else:
        shape, strides = (height, width, pixel.channels), (step, pixel.bytes_per_pixel, pixel.dtype.itemsize)
    pixels = np.ndarray(shape, dtype=dtype, buffer=msg.data, strides=strides)
    return _to_host_order(pixels)


def image_to_rgb(msg: Image) -> np.ndarray:
    """C-contiguous uint8 (H, W, 3) RGB from a colour or mono image; mono16 keeps its high byte."""
    if msg.encoding in IMAGE_ENCODINGS and msg.encoding not in COLOUR_ENCODINGS:
        kind = "a depth encoding" if msg.encoding in DEPTH_ENCODINGS else "not a colour encoding"
        raise ConversionError(f"{msg.encoding!r} is {kind}, expected a colour image ({', '.join(COLOUR_ENCODINGS)})")
    pixels = image_to_array(msg)
    encoding = msg.encoding
    if encoding == "mono16":
        pixels = (pixels >> 8).astype(np.uint8)
    if pixels.ndim == 2:
        return np.repeat(pixels[:, :, np.newaxis], 3, axis=2)
    if encoding in ("bgr8", "bgra8", "8UC3"):
        return np.ascontiguousarray(pixels[:, :, 2::-1])
    return np.ascontiguousarray(pixels[:, :, :3])


def depth_image_to_metres(msg: Image) -> np.ndarray:
    """float32 (H, W) depth in metres: 32FC1 as is (no copy when possible), 16UC1/mono16 millimetres with 0 -> NaN."""
    if msg.encoding == "32FC1":
        return image_to_array(msg)
    if msg.encoding in MILLIMETRE_DEPTH_ENCODINGS:
        millimetres = image_to_array(msg)
        metres = np.multiply(millimetres, np.float32(0.001), dtype=np.float32)
        metres[millimetres == 0] = np.nan
        return metres
    raise ConversionError(f"{msg.encoding!r} is not a depth encoding; expected 32FC1 (metres) or "
                          f"16UC1/mono16 (millimetres)")


def array_to_image(values: np.ndarray, encoding: str, header: Header) -> Image:
    """Image message from (H, W) or (H, W, C) ``values`` whose dtype and channel count match ``encoding``.

    The message is packed (step = width x bytes per pixel) in host byte order.
    """
    pixel = _pixel_format(encoding)
    values = np.asarray(values)
    if values.dtype.newbyteorder("=") != pixel.dtype:
        raise ConversionError(f"encoding {encoding} needs {pixel.dtype} pixels, got {values.dtype}")
    channels = values.shape[2] if values.ndim == 3 else 1
    if values.ndim not in (2, 3) or channels != pixel.channels:
        raise ConversionError(f"encoding {encoding} needs {pixel.channels} channel(s) as shape "
                              f"{'(H, W)' if pixel.channels == 1 else f'(H, W, {pixel.channels})'}, "
                              f"got shape {values.shape}")
    height, width = values.shape[:2]
    if width == 0 or height == 0:
        raise ConversionError(f"cannot make an image without pixels: shape {values.shape}")
    msg = Image()
    msg.header = header
    msg.height = height
    msg.width = width
    msg.encoding = encoding
    msg.is_bigendian = int(HOST_IS_BIGENDIAN)
    msg.step = width * pixel.bytes_per_pixel
    msg.data = _bytes_of(_to_host_order(values))
    return msg


def camera_info_to_intrinsics(msg: CameraInfo) -> Intrinsics:
    """Pinhole intrinsics (pixels) from K of a CameraInfo whose K describes its own width x height.

    Binning and a region of interest are not applied here: pass the message through ``camera_info_for_image`` first.
    """
    if msg.width == 0 or msg.height == 0:
        raise ConversionError(f"CameraInfo has no image size: width={msg.width}, height={msg.height}")
    k = np.asarray(msg.k, dtype=np.float64)
    if not k.any():
        raise ConversionError("CameraInfo K is all zeros: the camera is not calibrated")
    if max(msg.binning_x, 1) != 1 or max(msg.binning_y, 1) != 1 or _has_partial_roi(msg):
        raise ConversionError(f"CameraInfo has binning ({msg.binning_x}, {msg.binning_y}) or ROI {msg.roi}; "
                              "use camera_info_for_image to get a CameraInfo for the actual image")
    try:
        return Intrinsics.from_matrix(k, msg.width, msg.height)
    except ValueError as error:
        raise ConversionError(str(error)) from error


def _has_partial_roi(info: CameraInfo) -> bool:
    roi = info.roi
    is_empty = roi.width == 0 or roi.height == 0
    is_full_frame = (roi.x_offset, roi.y_offset, roi.width, roi.height) == (0, 0, info.width, info.height)
    return not (is_empty or is_full_frame)


def camera_info_for_image(info: CameraInfo, header: Header, width: int, height: int) -> CameraInfo:
    """A copy of ``info`` with ``header`` whose K and P describe an image of ``width`` x ``height`` pixels.

    The image is taken to show the calibration ROI (or the full calibrated frame when no ROI is set) resized to
    ``width`` x ``height``, which also covers binning. Pixel centres are kept aligned as in ``cv2.resize``:
    u' = (u - x_offset + 0.5) * width / roi_width - 0.5. The result has no binning and no ROI.
    """
    if width <= 0 or height <= 0:
        raise ConversionError(f"target image has no pixels: width={width}, height={height}")
    if info.width == 0 or info.height == 0:
        raise ConversionError(f"CameraInfo has no image size: width={info.width}, height={info.height}")
    roi = info.roi
    if roi.width == 0 or roi.height == 0:
        x_offset, y_offset, source_width, source_height = 0, 0, info.width, info.height
    else:
        x_offset, y_offset, source_width, source_height = roi.x_offset, roi.y_offset, roi.width, roi.height
    scale_x, scale_y = width / source_width, height / source_height
    calibration_to_image = np.array([[scale_x, 0.0, (0.5 - x_offset) * scale_x - 0.5],
                                     [0.0, scale_y, (0.5 - y_offset) * scale_y - 0.5],
                                     [0.0, 0.0, 1.0]])
    k = np.asarray(info.k, dtype=np.float64).reshape(3, 3)
    p = np.asarray(info.p, dtype=np.float64).reshape(3, 4)
    result = CameraInfo()
    result.header = header
    result.width = width
    result.height = height
    result.distortion_model = info.distortion_model
    result.d = array.array("d", info.d)
    result.k = (calibration_to_image @ k).reshape(9)
    result.r = np.array(info.r, dtype=np.float64)
    result.p = (calibration_to_image @ p).reshape(12)
    return result


def _cloud_dtype(msg: PointCloud2) -> np.dtype:
    """Structured dtype of one point of ``msg`` in the message's byte order, itemsize = point_step."""
    names, formats, offsets = [], [], []
    for field in msg.fields:
        if field.datatype not in POINT_FIELD_DTYPES:
            raise ConversionError(f"PointField {field.name!r} has unknown datatype {field.datatype}; "
                                  "expected 1 (INT8) .. 8 (FLOAT64)")
        if not field.name:
            raise ConversionError("PointField with an empty name")
        if field.name in names:
            raise ConversionError(f"PointField {field.name!r} appears more than once")
        if field.count < 1:
            raise ConversionError(f"PointField {field.name!r} has count {field.count}, expected >= 1")
        element = _with_byte_order(POINT_FIELD_DTYPES[field.datatype], bool(msg.is_bigendian))
        field_dtype = element if field.count == 1 else np.dtype((element, (field.count,)))
        if field.offset + field_dtype.itemsize > msg.point_step:
            raise ConversionError(f"PointField {field.name!r} ends at byte {field.offset + field_dtype.itemsize}, "
                                  f"beyond point_step {msg.point_step} B")
        names.append(field.name)
        formats.append(field_dtype)
        offsets.append(field.offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": msg.point_step})


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
        return np.zeros(0, dtype=_host_order_dtype(dtype))
    row_bytes = msg.width * msg.point_step
    if msg.row_step < row_bytes:
        raise ConversionError(f"PointCloud2 row_step {msg.row_step} B is smaller than width {msg.width} x "
                              f"point_step {msg.point_step} B = {row_bytes} B")
    if len(msg.data) < msg.row_step * msg.height:
        raise ConversionError(f"PointCloud2 data is truncated: {len(msg.data)} B, expected row_step {msg.row_step} "
                              f"x height {msg.height} = {msg.row_step * msg.height} B")
    grid = np.ndarray((msg.height, msg.width), dtype=dtype, buffer=msg.data, strides=(msg.row_step, msg.point_step))
    return _to_host_order(grid.reshape(count))


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
    host_points = _to_host_order(points)
    height, width = (1, points.shape[0]) if points.ndim == 1 else points.shape
    msg = PointCloud2()
    msg.header = header
    msg.height = height
    msg.width = width
    msg.fields = fields
    msg.is_bigendian = HOST_IS_BIGENDIAN
    msg.point_step = points.dtype.itemsize
    msg.row_step = width * points.dtype.itemsize
    msg.data = _bytes_of(host_points)
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
        raise ConversionError(f"PointCloud2 lacks field(s) {', '.join(missing)}; it has {', '.join(names)}")
    xyz = np.empty((points.shape[0], 3), dtype=np.float32)
    for column, axis in enumerate("xyz"):
        if points.dtype.fields[axis][0].shape:
            raise ConversionError(f"PointCloud2 field {axis!r} has count > 1, expected one value per point")
        xyz[:, column] = points[axis]
    return xyz


def stamp_ns(header: Header) -> int:
    """The header's stamp in integer nanoseconds."""
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec


# nav_msgs/OccupancyGrid


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


def camera_info_from_matrix(k: np.ndarray, width: int, height: int, header: Header) -> CameraInfo:
    """Distortion-free CameraInfo with K = ``k`` (3, 3) pixels and P = [K | 0]."""
    k = np.asarray(k, dtype=np.float64).reshape(3, 3)
    info = CameraInfo(header=header, width=int(width), height=int(height), distortion_model="plumb_bob")
    info.k = k.ravel().tolist()
    info.p = np.hstack([k, np.zeros((3, 1))]).ravel().tolist()
    info.r = np.eye(3).ravel().tolist()
    info.d = [0.0] * 5
    return info


def pose7_to_pose(pose7: list[float]) -> Pose:
    """geometry_msgs/Pose from [x, y, z, qx, qy, qz, qw]."""
    pose = Pose()
    pose.position.x, pose.position.y, pose.position.z = (float(v) for v in pose7[:3])
    pose.orientation.x, pose.orientation.y, pose.orientation.z, pose.orientation.w = (float(v) for v in pose7[3:])
    return pose


def pose_to_transform(pose: Pose) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Pose; raises ValueError for a zero quaternion."""
    position, orientation = pose.position, pose.orientation
    return transform_from_pose7([position.x, position.y, position.z,
                                 orientation.x, orientation.y, orientation.z, orientation.w])


def transform_to_matrix(transform: Transform) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Transform; raises ValueError for a zero quaternion."""
    translation, rotation = transform.translation, transform.rotation
    return transform_from_pose7([translation.x, translation.y, translation.z,
                                 rotation.x, rotation.y, rotation.z, rotation.w])


def pose7_to_transform_stamped(pose7: list[float], parent: str, child: str, stamp) -> TransformStamped:
    """TransformStamped of frame ``child`` in ``parent`` from [x, y, z, qx, qy, qz, qw]."""
    transform = Transform()
    transform.translation.x, transform.translation.y, transform.translation.z = (float(v) for v in pose7[:3])
    transform.rotation.x, transform.rotation.y, transform.rotation.z, transform.rotation.w = (
        float(v) for v in pose7[3:])
    return TransformStamped(header=Header(stamp=stamp, frame_id=parent), child_frame_id=child, transform=transform)
