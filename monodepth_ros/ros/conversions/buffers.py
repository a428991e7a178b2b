"""Byte order and message data buffers shared by the conversions."""
from __future__ import annotations

import array
import sys

import numpy as np

HOST_IS_BIGENDIAN = sys.byteorder == "big"


def with_byte_order(dtype: np.dtype, is_bigendian: bool) -> np.dtype:
    return dtype.newbyteorder(">" if is_bigendian else "<")


def host_order_dtype(dtype: np.dtype) -> np.dtype:
    """``dtype`` with every (sub)field in host byte order."""
    return dtype.newbyteorder("=")


def to_host_order(values: np.ndarray) -> np.ndarray:
    """``values`` unchanged when already in host byte order, else a byte-swapped copy."""
    if values.dtype.isnative:
        return values
    return values.astype(host_order_dtype(values.dtype))


def bytes_of(values: np.ndarray) -> array.array:
    """The bytes of ``values`` (C order) as the ``array('B')`` that message ``data`` fields store, one copy."""
    data = array.array("B")
    data.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return data
