"""Image <-> numpy for every supported encoding, with real sensor_msgs messages."""
import sys

import numpy as np
import pytest
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.image import (
    IMAGE_ENCODINGS,
    array_to_image,
    depth_image_to_metres,
    image_to_array,
    image_to_rgb,
)

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
