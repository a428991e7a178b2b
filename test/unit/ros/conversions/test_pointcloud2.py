"""PointCloud2 <-> structured arrays and xyz, with real sensor_msgs messages."""
import sys

import numpy as np
import pytest
from sensor_msgs.msg import PointCloud2, PointField
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.pointcloud2 import (
    array_to_pointcloud2,
    pointcloud2_to_array,
    pointcloud2_to_xyz,
    xyz_to_pointcloud2,
)

HOST_IS_BIGENDIAN = sys.byteorder == "big"
RNG = np.random.default_rng(7)


def header(frame_id: str = "camera_optical") -> Header:
    result = Header(frame_id=frame_id)
    result.stamp.sec = 12
    result.stamp.nanosec = 345
    return result


def message_bytes(msg) -> np.ndarray:
    return np.frombuffer(msg.data, dtype=np.uint8)


MIXED_DTYPE = np.dtype({
    "names": ["x", "y", "z", "intensity", "ring", "label", "flags", "offset_ns", "t", "normal", "tag"],
    "formats": [np.float32, np.float32, np.float32, np.float64, np.uint16, np.int8, np.uint8, np.uint32, np.int32,
                (np.float32, (3,)), np.int16],
    "offsets": [0, 4, 8, 16, 24, 26, 27, 28, 32, 36, 50],
    "itemsize": 56,
})


def mixed_points(count: int) -> np.ndarray:
    points = np.zeros(count, dtype=MIXED_DTYPE)
    for name in MIXED_DTYPE.names:
        field = points[name]
        if field.dtype.kind == "f":
            field[...] = RNG.normal(size=field.shape)
        else:
            info = np.iinfo(field.dtype)
            field[...] = RNG.integers(info.min, info.max, size=field.shape, endpoint=True)
    return points


def assert_same_points(actual: np.ndarray, expected: np.ndarray):
    assert actual.dtype.names == expected.dtype.names
    assert actual.shape == expected.shape
    for name in expected.dtype.names:
        assert actual.dtype.fields[name][0].base == expected.dtype.fields[name][0].base.newbyteorder("=")
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


def test_mixed_dtype_cloud_round_trip_keeps_fields_offsets_and_padding():
    points = mixed_points(11)
    msg = array_to_pointcloud2(points, header("lidar"))
    assert (msg.height, msg.width, msg.point_step, msg.row_step) == (1, 11, 56, 11 * 56)
    assert msg.is_bigendian == HOST_IS_BIGENDIAN
    assert msg.header.frame_id == "lidar"
    described = {field.name: (field.offset, field.datatype, field.count) for field in msg.fields}
    assert described == {
        "x": (0, PointField.FLOAT32, 1), "y": (4, PointField.FLOAT32, 1), "z": (8, PointField.FLOAT32, 1),
        "intensity": (16, PointField.FLOAT64, 1), "ring": (24, PointField.UINT16, 1),
        "label": (26, PointField.INT8, 1), "flags": (27, PointField.UINT8, 1),
        "offset_ns": (28, PointField.UINT32, 1), "t": (32, PointField.INT32, 1),
        "normal": (36, PointField.FLOAT32, 3), "tag": (50, PointField.INT16, 1),
    }
    restored = pointcloud2_to_array(msg)
    assert_same_points(restored, points)
    assert np.shares_memory(restored, message_bytes(msg))


def test_organised_cloud_keeps_its_grid_and_reads_back_row_major():
    points = mixed_points(6).reshape(2, 3)
    msg = array_to_pointcloud2(points, header())
    assert (msg.height, msg.width, msg.row_step) == (2, 3, 3 * 56)
    assert_same_points(pointcloud2_to_array(msg), points.reshape(6))


def xyzi_fields(datatype_xyz=PointField.FLOAT32) -> list:
    size = 4 if datatype_xyz == PointField.FLOAT32 else 8
    return [PointField(name=axis, offset=index * size, datatype=datatype_xyz, count=1)
            for index, axis in enumerate("xyz")] + [
        PointField(name="intensity", offset=3 * size + 4, datatype=PointField.UINT16, count=1)]


def test_hand_built_cloud_with_point_and_row_padding():
    point_step, row_step, width, height = 20, 2 * 20 + 8, 2, 3
    raw = np.full(row_step * height, 0xEE, dtype=np.uint8)
    expected_xyz, expected_intensity = [], []
    for row in range(height):
        for column in range(width):
            xyz = np.array([row, column, row * 10 + column], dtype=np.float32) + 0.5
            intensity = np.uint16(100 * row + column)
            start = row * row_step + column * point_step
            raw[start:start + 12] = np.frombuffer(xyz.astype("<f4").tobytes(), dtype=np.uint8)
            raw[start + 16:start + 18] = np.frombuffer(np.array([intensity], "<u2").tobytes(), dtype=np.uint8)
            expected_xyz.append(xyz)
            expected_intensity.append(intensity)
    msg = PointCloud2(height=height, width=width, fields=xyzi_fields(), is_bigendian=False, point_step=point_step,
                      row_step=row_step, data=raw.tobytes(), is_dense=True)
    points = pointcloud2_to_array(msg)
    assert points.shape == (6,) and points.dtype.itemsize == point_step
    np.testing.assert_array_equal(points["intensity"], expected_intensity)
    np.testing.assert_array_equal(pointcloud2_to_xyz(msg), np.array(expected_xyz))


def test_big_endian_cloud_is_decoded_into_host_order():
    big_endian = np.dtype({"names": ["x", "y", "z", "intensity"], "formats": [">f8", ">f8", ">f8", ">u2"],
                           "offsets": [0, 8, 16, 28], "itemsize": 32})
    points = np.zeros(3, dtype=big_endian)
    points["x"], points["y"], points["z"] = [1.5, -2.0, 3.25], [0.0, 1e-3, 7.0], [100.0, -0.5, 2.0]
    points["intensity"] = [1, 258, 65535]
    msg = PointCloud2(height=1, width=3, fields=xyzi_fields(PointField.FLOAT64), is_bigendian=True, point_step=32,
                      row_step=96, data=points.tobytes())
    restored = pointcloud2_to_array(msg)
    assert restored.dtype.isnative
    assert_same_points(restored, points)
    expected_xyz = np.array([[1.5, 0.0, 100.0], [-2.0, 1e-3, -0.5], [3.25, 7.0, 2.0]], dtype=np.float32)
    np.testing.assert_array_equal(pointcloud2_to_xyz(msg), expected_xyz)


def test_big_endian_points_are_written_in_host_order():
    foreign = np.dtype({"names": ["x", "ring"], "formats": [">f4" if not HOST_IS_BIGENDIAN else "<f4",
                                                             ">u2" if not HOST_IS_BIGENDIAN else "<u2"],
                        "offsets": [0, 4], "itemsize": 8})
    points = np.zeros(2, dtype=foreign)
    points["x"], points["ring"] = [1.0, -4.5], [3, 513]
    msg = array_to_pointcloud2(points, header())
    assert msg.is_bigendian == HOST_IS_BIGENDIAN
    assert_same_points(pointcloud2_to_array(msg), points)


@pytest.mark.parametrize("width, height, row_step", [(0, 1, 0), (0, 0, 0), (5, 0, 100), (0, 4, 20)])
def test_empty_cloud_converts_to_empty_arrays(width, height, row_step):
    msg = PointCloud2(height=height, width=width, fields=xyzi_fields(), point_step=20, row_step=row_step)
    points = pointcloud2_to_array(msg)
    assert points.shape == (0,) and points.dtype.names == ("x", "y", "z", "intensity")
    assert pointcloud2_to_xyz(msg).shape == (0, 3)


def test_empty_points_become_an_empty_cloud():
    msg = xyz_to_pointcloud2(np.zeros((0, 3), dtype=np.float32), header())
    assert (msg.height, msg.width, len(msg.data)) == (1, 0, 0)
    assert [field.name for field in msg.fields] == ["x", "y", "z"]
    assert pointcloud2_to_xyz(msg).shape == (0, 3)


def valid_xyz_cloud(count: int = 4) -> PointCloud2:
    return xyz_to_pointcloud2(RNG.normal(size=(count, 3)).astype(np.float32), header())


@pytest.mark.parametrize("break_cloud, message", [
    (lambda msg: setattr(msg.fields[1], "datatype", 9), r"'y' has unknown datatype 9"),
    (lambda msg: setattr(msg.fields[2], "offset", 10), r"'z' ends at byte 14, beyond point_step 12 B"),
    (lambda msg: setattr(msg.fields[2], "name", "x"), r"'x' appears more than once"),
    (lambda msg: setattr(msg.fields[0], "count", 0), r"'x' has count 0"),
    (lambda msg: setattr(msg, "data", msg.data[:-1]), r"truncated: 47 B, expected row_step 48 x height 1 = 48 B"),
    (lambda msg: setattr(msg, "row_step", 40), r"row_step 40 B is smaller than width 4 x point_step 12 B = 48 B"),
    (lambda msg: setattr(msg, "fields", []), r"has no fields"),
    (lambda msg: setattr(msg, "point_step", 0), r"point_step is 0"),
])
def test_inconsistent_clouds_are_rejected(break_cloud, message):
    msg = valid_xyz_cloud()
    break_cloud(msg)
    with pytest.raises(ConversionError, match=message):
        pointcloud2_to_array(msg)


def test_array_to_pointcloud2_rejects_what_point_fields_cannot_describe():
    with pytest.raises(ConversionError, match=r"structured array"):
        array_to_pointcloud2(np.zeros((4, 3), dtype=np.float32), header())
    with pytest.raises(ConversionError, match=r"field 'stamp' has dtype int64"):
        array_to_pointcloud2(np.zeros(4, dtype=[("x", np.float32), ("stamp", np.int64)]), header())
    with pytest.raises(ConversionError, match=r"shape \(N,\) or \(H, W\)"):
        array_to_pointcloud2(np.zeros((2, 2, 2), dtype=[("x", np.float32)]), header())


def test_is_dense_follows_the_finiteness_of_float_fields_unless_given():
    points = np.zeros(3, dtype=[("x", np.float32), ("ring", np.uint16)])
    assert array_to_pointcloud2(points, header()).is_dense is True
    assert array_to_pointcloud2(points, header(), is_dense=False).is_dense is False
    points["x"][1] = np.nan
    assert array_to_pointcloud2(points, header()).is_dense is False
    assert array_to_pointcloud2(points, header(), is_dense=True).is_dense is True


def test_xyz_round_trip_keeps_non_finite_points():
    xyz = RNG.normal(size=(50, 3)).astype(np.float32)
    xyz[3] = np.nan
    xyz[7, 2] = np.inf
    msg = xyz_to_pointcloud2(xyz, header("map"))
    assert [(field.name, field.offset, field.datatype, field.count) for field in msg.fields] == [
        ("x", 0, PointField.FLOAT32, 1), ("y", 4, PointField.FLOAT32, 1), ("z", 8, PointField.FLOAT32, 1)]
    assert (msg.height, msg.width, msg.point_step, msg.is_dense) == (1, 50, 12, False)
    restored = pointcloud2_to_xyz(msg)
    assert restored.dtype == np.float32
    np.testing.assert_array_equal(restored, xyz)


def test_xyz_from_float64_is_stored_as_float32():
    xyz = np.array([[1.0, 2.0, 3.0]], dtype=np.float64)
    msg = xyz_to_pointcloud2(xyz, header())
    assert msg.is_dense is True
    assert bytes(msg.data) == xyz.astype(np.float32).tobytes()


def test_rgb_is_packed_as_0x00rrggbb_in_float32_bits():
    xyz = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 9.0]], dtype=np.float32)
    rgb = np.array([[255, 128, 1], [0, 16, 254]], dtype=np.uint8)
    msg = xyz_to_pointcloud2(xyz, header(), rgb=rgb)
    assert [(field.name, field.offset, field.datatype) for field in msg.fields][-1] == ("rgb", 12, PointField.FLOAT32)
    assert msg.point_step == 16
    byte_order = "big" if msg.is_bigendian else "little"
    packed = [int.from_bytes(bytes(msg.data[index * 16 + 12:index * 16 + 16]), byte_order) for index in range(2)]
    assert packed == [0x00FF8001, 0x000010FE]
    points = pointcloud2_to_array(msg)
    assert points["rgb"].dtype == np.float32
    assert points["rgb"].view(np.uint32).tolist() == [0x00FF8001, 0x000010FE]
    np.testing.assert_array_equal(pointcloud2_to_xyz(msg), xyz)


def test_rgb_must_match_the_points():
    xyz = np.zeros((3, 3), dtype=np.float32)
    with pytest.raises(ConversionError, match=r"rgb must be uint8 of shape \(3, 3\).*float32 \(3, 3\)"):
        xyz_to_pointcloud2(xyz, header(), rgb=np.zeros((3, 3), dtype=np.float32))
    with pytest.raises(ConversionError, match=r"rgb must be uint8 of shape \(3, 3\).*uint8 \(2, 3\)"):
        xyz_to_pointcloud2(xyz, header(), rgb=np.zeros((2, 3), dtype=np.uint8))


def test_xyz_must_be_n_by_3_floats():
    with pytest.raises(ConversionError, match=r"xyz must be floating point of shape \(N, 3\), got float32 \(3, 2\)"):
        xyz_to_pointcloud2(np.zeros((3, 2), dtype=np.float32), header())
    with pytest.raises(ConversionError, match=r"got int32 \(3, 3\)"):
        xyz_to_pointcloud2(np.zeros((3, 3), dtype=np.int32), header())


def test_pointcloud2_to_xyz_names_missing_axes():
    msg = array_to_pointcloud2(np.zeros(2, dtype=[("x", np.float32), ("intensity", np.float32)]), header())
    with pytest.raises(ConversionError, match=r"lacks field\(s\) y, z; it has 'x', 'intensity'"):
        pointcloud2_to_xyz(msg)


def test_pointcloud2_to_xyz_reads_axes_from_any_offset_and_type():
    points = np.zeros(2, dtype={"names": ["intensity", "z", "y", "x"], "formats": [np.uint8, np.float64, np.int16,
                                                                                  np.float32],
                                "offsets": [0, 8, 16, 20], "itemsize": 32})
    points["x"], points["y"], points["z"] = [1.5, -1.0], [3, -4], [0.25, 8.0]
    msg = array_to_pointcloud2(points, header())
    np.testing.assert_array_equal(pointcloud2_to_xyz(msg), [[1.5, 3.0, 0.25], [-1.0, -4.0, 8.0]])


def xyz_cloud_with(point_step: int, count: int = 1, points: int = 4) -> PointCloud2:
    msg = xyz_to_pointcloud2(np.ones((points, 3), np.float32), header())
    msg.point_step = point_step
    msg.row_step = point_step * msg.width
    msg.fields[0].count = count
    return msg


@pytest.mark.parametrize("point_step, count", [(2**32 - 1, 1), (2**31, 1), (12, 2**31 - 1), (12, 10**6)],
                         ids=["step-uint32-max", "step-2^31", "count-int32-max", "count-1e6"])
def test_an_absurd_point_step_or_field_count_is_a_conversion_error(point_step, count):
    with pytest.raises(ConversionError):
        pointcloud2_to_xyz(xyz_cloud_with(point_step, count))


def test_too_many_fields_is_a_conversion_error():
    msg = xyz_to_pointcloud2(np.ones((2, 3), np.float32), header())
    msg.fields = [PointField(name=f"f{index}", offset=0, datatype=PointField.UINT8, count=1) for index in range(5000)]
    with pytest.raises(ConversionError, match="fields"):
        pointcloud2_to_array(msg)
