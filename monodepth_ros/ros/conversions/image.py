"""sensor_msgs/Image <-> numpy.

Depth follows REP 118: 32FC1 in metres, 16UC1 in millimetres with 0 meaning "no reading". Readers return
host-byte-order arrays and avoid copies where the layout allows, so a returned array may share memory with the
message's ``data``. Writers fill ``data`` in host byte order without row padding."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.buffers import HOST_IS_BIGENDIAN, bytes_of, to_host_order, with_byte_order
from monodepth_ros.ros.conversions.errors import ConversionError


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


def _pixel_format(encoding: str) -> PixelFormat:
    try:
        return IMAGE_ENCODINGS[encoding]
    except KeyError:
        raise ConversionError(f"unsupported image encoding {encoding!r}; supported: "
                              f"{', '.join(IMAGE_ENCODINGS)}") from None


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
    dtype = with_byte_order(pixel.dtype, bool(msg.is_bigendian))
    if pixel.channels == 1:
        shape, strides = (height, width), (step, pixel.bytes_per_pixel)
    else:
        shape, strides = (height, width, pixel.channels), (step, pixel.bytes_per_pixel, pixel.dtype.itemsize)
    pixels = np.ndarray(shape, dtype=dtype, buffer=msg.data, strides=strides)
    return to_host_order(pixels)


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
    msg.data = bytes_of(to_host_order(values))
    return msg
