"""Message <-> numpy conversions, exercised with real sensor_msgs message objects."""
import sys

import numpy as np
import pytest
from sensor_msgs.msg import CameraInfo, Image, PointCloud2, PointField
from std_msgs.msg import Header

from monodepth_ros.ros.conversions import (IMAGE_ENCODINGS, ConversionError, array_to_image, array_to_pointcloud2,
                                           camera_info_for_image, camera_info_to_intrinsics, depth_image_to_metres,
                                           image_to_array, image_to_rgb, pointcloud2_to_array, pointcloud2_to_xyz,
                                           xyz_to_pointcloud2)

HOST_IS_BIGENDIAN = sys.byteorder == "big"
RNG = np.random.default_rng(7)


def header(frame_id: str = "camera_optical") -> Header:
    result = Header(frame_id=frame_id)
    result.stamp.sec = 12
    result.stamp.nanosec = 345
    return result


def random_pixels(encoding: str, height: int = 5, width: int = 7) -> np.ndarray:
    pixel = IMAGE_ENCODINGS[encoding]
    shape = (height, width) if pixel.channels == 1 else (height, width, pixel.channels)
    if pixel.dtype.kind == "f":
        return RNG.uniform(0.1, 80.0, shape).astype(pixel.dtype)
    info = np.iinfo(pixel.dtype)
    return RNG.integers(info.min, info.max, shape, endpoint=True).astype(pixel.dtype)


def raw_image(encoding: str, pixels: np.ndarray, step: int, is_bigendian: bool = HOST_IS_BIGENDIAN,
              padding_byte: int = 0xAB) -> Image:
    """Image whose rows are ``step`` bytes: the pixels in the given byte order, then padding bytes."""
    height, width = pixels.shape[:2]
    row_bytes = pixels[0].nbytes
    ordered = pixels.astype(pixels.dtype.newbyteorder(">" if is_bigendian else "<"))
    rows = np.full((height, step), padding_byte, dtype=np.uint8)
    rows[:, :row_bytes] = np.frombuffer(ordered.tobytes(), dtype=np.uint8).reshape(height, row_bytes)
    return Image(header=header(), height=height, width=width, encoding=encoding, is_bigendian=int(is_bigendian),
                 step=step, data=rows.tobytes())


def message_bytes(msg) -> np.ndarray:
    return np.frombuffer(msg.data, dtype=np.uint8)


# --- images -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", sorted(IMAGE_ENCODINGS))
def test_image_round_trip_for_every_encoding(encoding):
    pixels = random_pixels(encoding)
    msg = array_to_image(pixels, encoding, header())
    pixel = IMAGE_ENCODINGS[encoding]
    assert (msg.height, msg.width, msg.encoding) == (5, 7, encoding)
    assert msg.step == 7 * pixel.bytes_per_pixel
    assert len(msg.data) == msg.step * msg.height
    assert msg.is_bigendian == int(HOST_IS_BIGENDIAN)
    assert msg.header.frame_id == "camera_optical" and msg.header.stamp.nanosec == 345
    restored = image_to_array(msg)
    assert restored.dtype == pixel.dtype and restored.dtype.isnative
    np.testing.assert_array_equal(restored, pixels)


@pytest.mark.parametrize("encoding", ["rgb8", "mono8", "16UC1", "32FC1"])
def test_image_to_array_is_a_view_of_the_message_data(encoding):
    msg = array_to_image(random_pixels(encoding), encoding, header())
    assert np.shares_memory(image_to_array(msg), message_bytes(msg))


@pytest.mark.parametrize("encoding, padding", [("rgb8", 3), ("mono8", 1), ("16UC1", 6), ("32FC1", 5), ("bgra8", 4)])
def test_row_padding_is_skipped_without_copying(encoding, padding):
    pixels = random_pixels(encoding, height=4, width=6)
    msg = raw_image(encoding, pixels, step=pixels[0].nbytes + padding)
    restored = image_to_array(msg)
    np.testing.assert_array_equal(restored, pixels)
    assert np.shares_memory(restored, message_bytes(msg))


@pytest.mark.parametrize("encoding", ["16UC1", "32FC1", "mono16", "16SC1"])
@pytest.mark.parametrize("is_bigendian", [True, False])
def test_multibyte_pixels_in_either_byte_order(encoding, is_bigendian):
    pixels = random_pixels(encoding, height=3, width=4)
    msg = raw_image(encoding, pixels, step=pixels[0].nbytes + 2, is_bigendian=is_bigendian)
    restored = image_to_array(msg)
    assert restored.dtype.isnative
    np.testing.assert_array_equal(restored, pixels)
    assert np.shares_memory(restored, message_bytes(msg)) == (is_bigendian == HOST_IS_BIGENDIAN)


def test_big_endian_values_are_decoded_not_just_reinterpreted():
    msg = Image(height=1, width=2, encoding="16UC1", is_bigendian=1, step=4, data=bytes([0x01, 0x02, 0x00, 0x0A]))
    np.testing.assert_array_equal(image_to_array(msg), [[0x0102, 0x000A]])
    one_metre_big_endian = np.array([1.0, -2.5], dtype=">f4").tobytes()
    msg = Image(height=1, width=2, encoding="32FC1", is_bigendian=1, step=8, data=one_metre_big_endian)
    np.testing.assert_array_equal(image_to_array(msg), [[1.0, -2.5]])


def test_truncated_image_data_is_rejected_with_both_sizes():
    msg = raw_image("rgb8", random_pixels("rgb8", height=4, width=6), step=18)
    msg.data = msg.data[:-1]
    with pytest.raises(ConversionError, match=r"truncated: 71 B, expected step 18 x height 4 = 72 B"):
        image_to_array(msg)


def test_step_smaller_than_a_row_is_rejected():
    msg = raw_image("32FC1", random_pixels("32FC1", height=2, width=6), step=24)
    msg.step = 20
    with pytest.raises(ConversionError, match=r"step 20 B is smaller than width 6 x 4 B/pixel = 24 B"):
        image_to_array(msg)


def test_unknown_encoding_is_rejected_naming_it():
    msg = Image(height=1, width=2, encoding="yuv422", step=4, data=bytes(4))
    with pytest.raises(ConversionError, match=r"unsupported image encoding 'yuv422'.*rgb8"):
        image_to_array(msg)


def test_image_without_pixels_is_rejected():
    with pytest.raises(ConversionError, match=r"no pixels: width=0, height=3"):
        image_to_array(Image(height=3, width=0, encoding="mono8", step=0))


def test_conversion_error_is_a_value_error():
    assert issubclass(ConversionError, ValueError)


# --- image_to_rgb ---------------------------------------------------------------------------------------------------

RGB = np.array([[[10, 20, 30], [40, 50, 60]], [[70, 80, 90], [200, 210, 220]]], dtype=np.uint8)
ALPHA = np.full((2, 2, 1), 99, dtype=np.uint8)


@pytest.mark.parametrize("encoding, pixels", [
    ("rgb8", RGB),
    ("bgr8", RGB[:, :, ::-1]),
    ("8UC3", RGB[:, :, ::-1]),
    ("rgba8", np.concatenate([RGB, ALPHA], axis=2)),
    ("bgra8", np.concatenate([RGB[:, :, ::-1], ALPHA], axis=2)),
])
def test_colour_encodings_become_rgb(encoding, pixels):
    rgb = image_to_rgb(array_to_image(pixels, encoding, header()))
    assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    np.testing.assert_array_equal(rgb, RGB)


@pytest.mark.parametrize("encoding, gray, expected", [
    ("mono8", np.array([[0, 128], [255, 7]], dtype=np.uint8), [[0, 128], [255, 7]]),
    ("8UC1", np.array([[0, 128], [255, 7]], dtype=np.uint8), [[0, 128], [255, 7]]),
    ("mono16", np.array([[0x00FF, 0x8000], [0xFFFF, 0x0100]], dtype=np.uint16), [[0, 128], [255, 1]]),
])
def test_mono_encodings_become_gray_rgb(encoding, gray, expected):
    rgb = image_to_rgb(array_to_image(gray, encoding, header()))
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, np.repeat(np.array(expected, dtype=np.uint8)[:, :, None], 3, axis=2))


def test_padded_bgr_image_becomes_rgb():
    msg = raw_image("bgr8", RGB[:, :, ::-1], step=9)
    np.testing.assert_array_equal(image_to_rgb(msg), RGB)


def test_unpadded_rgb8_is_not_copied():
    msg = array_to_image(RGB, "rgb8", header())
    assert np.shares_memory(image_to_rgb(msg), message_bytes(msg))


@pytest.mark.parametrize("encoding, problem", [("32FC1", "is a depth encoding"), ("16UC1", "is a depth encoding"),
                                               ("16SC1", "is not a colour encoding")])
def test_non_colour_encodings_are_rejected_by_image_to_rgb(encoding, problem):
    msg = array_to_image(random_pixels(encoding), encoding, header())
    with pytest.raises(ConversionError, match=rf"'{encoding}' {problem}, expected a colour image \(mono8, "):
        image_to_rgb(msg)


# --- depth images -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["16UC1", "mono16"])
def test_millimetre_depth_becomes_metres_with_zero_as_nan(encoding):
    millimetres = np.array([[0, 1000, 1500], [65535, 1, 0]], dtype=np.uint16)
    metres = depth_image_to_metres(array_to_image(millimetres, encoding, header()))
    assert metres.dtype == np.float32 and metres.shape == (2, 3)
    np.testing.assert_allclose(metres, [[np.nan, 1.0, 1.5], [65.535, 0.001, np.nan]], rtol=1e-6)


def test_big_endian_millimetre_depth_becomes_metres():
    msg = raw_image("16UC1", np.array([[2500, 0]], dtype=np.uint16), step=4, is_bigendian=True)
    np.testing.assert_allclose(depth_image_to_metres(msg), [[2.5, np.nan]], rtol=1e-6)


def test_float_depth_is_returned_as_is_without_copy():
    depth = np.array([[1.25, np.nan], [np.inf, 0.5]], dtype=np.float32)
    msg = array_to_image(depth, "32FC1", header())
    metres = depth_image_to_metres(msg)
    np.testing.assert_array_equal(metres, depth)
    assert metres.dtype == np.float32
    assert np.shares_memory(metres, message_bytes(msg))


@pytest.mark.parametrize("encoding", ["rgb8", "mono8", "16SC1"])
def test_other_encodings_are_not_depth(encoding):
    msg = array_to_image(random_pixels(encoding), encoding, header())
    with pytest.raises(ConversionError, match=rf"'{encoding}' is not a depth encoding"):
        depth_image_to_metres(msg)


# --- array_to_image ----------------------------------------------------------------------------------------------


def test_array_to_image_rejects_a_dtype_that_does_not_match_the_encoding():
    with pytest.raises(ConversionError, match=r"32FC1 needs float32 pixels, got float64"):
        array_to_image(np.zeros((2, 2)), "32FC1", header())


def test_array_to_image_rejects_a_channel_count_that_does_not_match_the_encoding():
    with pytest.raises(ConversionError, match=r"rgb8 needs 3 channel\(s\) as shape \(H, W, 3\), got shape \(4, 5\)"):
        array_to_image(np.zeros((4, 5), dtype=np.uint8), "rgb8", header())
    with pytest.raises(ConversionError, match=r"mono8 needs 1 channel\(s\).*got shape \(4, 5, 3\)"):
        array_to_image(np.zeros((4, 5, 3), dtype=np.uint8), "mono8", header())
    with pytest.raises(ConversionError, match=r"got shape \(20,\)"):
        array_to_image(np.zeros(20, dtype=np.uint8), "mono8", header())


def test_array_to_image_rejects_an_empty_array_and_an_unknown_encoding():
    with pytest.raises(ConversionError, match=r"without pixels: shape \(0, 4\)"):
        array_to_image(np.zeros((0, 4), dtype=np.float32), "32FC1", header())
    with pytest.raises(ConversionError, match=r"unsupported image encoding 'rgb16'"):
        array_to_image(np.zeros((2, 2, 3), dtype=np.uint16), "rgb16", header())


def test_array_to_image_packs_non_contiguous_and_foreign_byte_order_arrays():
    depth = np.arange(24, dtype=np.float32).reshape(4, 6)
    msg = array_to_image(depth[::2, 1::2], "32FC1", header())
    assert (msg.height, msg.width, msg.step) == (2, 3, 12)
    np.testing.assert_array_equal(image_to_array(msg), depth[::2, 1::2])

    foreign = ">u2" if not HOST_IS_BIGENDIAN else "<u2"
    millimetres = np.array([[1, 258], [4096, 65535]], dtype=foreign)
    msg = array_to_image(millimetres, "16UC1", header())
    assert msg.is_bigendian == int(HOST_IS_BIGENDIAN)
    assert bytes(msg.data) == np.array([1, 258, 4096, 65535], dtype=np.uint16).tobytes()


def test_array_to_image_copies_so_later_changes_do_not_leak_into_the_message():
    depth = np.ones((2, 2), dtype=np.float32)
    msg = array_to_image(depth, "32FC1", header())
    depth[:] = 7.0
    np.testing.assert_array_equal(image_to_array(msg), np.ones((2, 2)))


# --- CameraInfo -------------------------------------------------------------------------------------------------


def camera_info(fx=500.0, fy=520.0, cx=319.5, cy=239.5, width=640, height=480, baseline_term=-25.0) -> CameraInfo:
    info = CameraInfo(header=header("calibration_frame"), width=width, height=height, distortion_model="plumb_bob")
    info.d = [0.1, -0.05, 0.001, 0.002, 0.0]
    info.k = [fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0]
    info.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    info.p = [fx, 0.0, cx, baseline_term, 0.0, fy, cy, 0.0, 0.0, 0.0, 1.0, 0.0]
    return info


def test_intrinsics_come_from_k():
    intrinsics = camera_info_to_intrinsics(camera_info())
    assert (intrinsics.fx, intrinsics.fy, intrinsics.cx, intrinsics.cy) == (500.0, 520.0, 319.5, 239.5)
    assert (intrinsics.width, intrinsics.height) == (640, 480)


def test_all_zero_k_means_uncalibrated():
    info = camera_info()
    info.k = [0.0] * 9
    with pytest.raises(ConversionError, match=r"K is all zeros: the camera is not calibrated"):
        camera_info_to_intrinsics(info)


@pytest.mark.parametrize("fx, fy", [(-500.0, 500.0), (500.0, 0.0), (float("nan"), 500.0), (500.0, float("inf"))])
def test_invalid_focal_lengths_are_rejected(fx, fy):
    with pytest.raises(ConversionError, match=r"focal lengths must be positive and finite"):
        camera_info_to_intrinsics(camera_info(fx=fx, fy=fy))


@pytest.mark.parametrize("width, height", [(0, 480), (640, 0)])
def test_camera_info_without_size_is_rejected(width, height):
    with pytest.raises(ConversionError, match=rf"no image size: width={width}, height={height}"):
        camera_info_to_intrinsics(camera_info(width=width, height=height))


def test_binned_camera_info_must_go_through_camera_info_for_image():
    info = camera_info()
    info.binning_x = info.binning_y = 2
    with pytest.raises(ConversionError, match=r"binning \(2, 2\).*camera_info_for_image"):
        camera_info_to_intrinsics(info)
    adapted = camera_info_for_image(info, header(), 320, 240)
    assert (adapted.binning_x, adapted.binning_y) == (0, 0)
    assert camera_info_to_intrinsics(adapted).fx == pytest.approx(250.0)


def test_camera_info_for_an_image_of_the_same_size_is_an_independent_copy():
    info = camera_info()
    image_header = header("depth_frame")
    adapted = camera_info_for_image(info, image_header, 640, 480)
    assert adapted.header.frame_id == "depth_frame"
    assert (adapted.width, adapted.height, adapted.distortion_model) == (640, 480, "plumb_bob")
    np.testing.assert_array_equal(adapted.k, info.k)
    np.testing.assert_array_equal(adapted.p, info.p)
    np.testing.assert_array_equal(adapted.r, info.r)
    assert list(adapted.d) == list(info.d)
    adapted.k[0] = 1.0
    adapted.d[0] = 9.0
    assert info.k[0] == 500.0 and info.d[0] == 0.1
    assert info.header.frame_id == "calibration_frame"


def test_camera_info_for_a_half_size_image_rescales_k_and_p():
    adapted = camera_info_for_image(camera_info(), header(), 320, 240)
    assert (adapted.width, adapted.height) == (320, 240)
    half_centre_x, half_centre_y = (319.5 + 0.5) / 2 - 0.5, (239.5 + 0.5) / 2 - 0.5
    np.testing.assert_allclose(adapted.k, [250.0, 0.0, half_centre_x, 0.0, 260.0, half_centre_y, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(adapted.p, [250.0, 0.0, half_centre_x, -12.5,
                                           0.0, 260.0, half_centre_y, 0.0,
                                           0.0, 0.0, 1.0, 0.0])
    assert list(adapted.d) == [0.1, -0.05, 0.001, 0.002, 0.0]
    intrinsics = camera_info_to_intrinsics(adapted)
    assert (intrinsics.width, intrinsics.height, intrinsics.cx) == (320, 240, pytest.approx(159.5))


def test_camera_info_for_an_image_of_the_roi_shifts_the_principal_point():
    info = camera_info()
    info.roi.x_offset, info.roi.y_offset, info.roi.width, info.roi.height = 100, 40, 200, 120
    adapted = camera_info_for_image(info, header(), 200, 120)
    np.testing.assert_allclose(adapted.k, [500.0, 0.0, 219.5, 0.0, 520.0, 199.5, 0.0, 0.0, 1.0])
    assert (adapted.roi.width, adapted.roi.height) == (0, 0)
    assert camera_info_to_intrinsics(adapted).cx == pytest.approx(219.5)


def test_camera_info_for_image_rejects_missing_sizes():
    with pytest.raises(ConversionError, match=r"target image has no pixels: width=0, height=240"):
        camera_info_for_image(camera_info(), header(), 0, 240)
    with pytest.raises(ConversionError, match=r"CameraInfo has no image size"):
        camera_info_for_image(camera_info(width=0, height=0), header(), 320, 240)


# --- PointCloud2 -----------------------------------------------------------------------------------------------

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
    with pytest.raises(ConversionError, match=r"lacks field\(s\) y, z; it has x, intensity"):
        pointcloud2_to_xyz(msg)


def test_pointcloud2_to_xyz_reads_axes_from_any_offset_and_type():
    points = np.zeros(2, dtype={"names": ["intensity", "z", "y", "x"], "formats": [np.uint8, np.float64, np.int16,
                                                                                  np.float32],
                                "offsets": [0, 8, 16, 20], "itemsize": 32})
    points["x"], points["y"], points["z"] = [1.5, -1.0], [3, -4], [0.25, 8.0]
    msg = array_to_pointcloud2(points, header())
    np.testing.assert_array_equal(pointcloud2_to_xyz(msg), [[1.5, 3.0, 0.25], [-1.0, -4.0, 8.0]])


def test_pose_and_transform_messages_round_trip_through_pose7():
    from monodepth_ros.core.transforms import make_transform, pose7_from_transform, rpy_to_matrix
    from monodepth_ros.ros.conversions import (pose7_to_pose, pose7_to_transform_stamped, pose_to_transform,
                                               transform_to_matrix)

    expected = make_transform(rpy_to_matrix(0.1, -0.4, 2.0), [1.5, -2.0, 0.3])
    pose7 = pose7_from_transform(expected)
    np.testing.assert_allclose(pose_to_transform(pose7_to_pose(pose7)), expected, atol=1e-12)
    stamped = pose7_to_transform_stamped(pose7, "odom", "base_link", Header().stamp)
    assert (stamped.header.frame_id, stamped.child_frame_id) == ("odom", "base_link")
    np.testing.assert_allclose(transform_to_matrix(stamped.transform), expected, atol=1e-12)
    with pytest.raises(ValueError, match="quaternion"):
        pose_to_transform(pose7_to_pose([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
