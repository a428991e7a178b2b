"""sRGB <-> linear light (IEC 61966-2-1), through lookup tables.

Light adds linearly: blurs, fog and stereo mixing are computed on linear values, then encoded back to sRGB.
"""
from __future__ import annotations

import numpy as np

_ENCODE_STEPS = 16384
"""Entries of the linear -> sRGB table; one step moves a dark sRGB value by at most 0.2 of a level."""


def _srgb_decode(values: np.ndarray) -> np.ndarray:
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def _srgb_encode(values: np.ndarray) -> np.ndarray:
    return np.where(values <= 0.0031308, values * 12.92, 1.055 * np.power(values, 1.0 / 2.4) - 0.055)


_DECODE_TABLE = _srgb_decode(np.arange(256) / 255.0).astype(np.float32)
_ENCODE_TABLE = np.clip(np.round(_srgb_encode(np.linspace(0.0, 1.0, _ENCODE_STEPS)) * 255.0), 0, 255).astype(np.uint8)
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)
"""Rec. 709 / sRGB luminance weights of linear R, G, B."""


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """uint8 sRGB (..., C) -> float32 linear light in [0, 1], same shape."""
    return _DECODE_TABLE[rgb]


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """float linear light (..., C) -> uint8 sRGB; values outside [0, 1] are clipped."""
    index = np.clip(linear, 0.0, 1.0).astype(np.float32, copy=False)
    index *= np.float32(_ENCODE_STEPS - 1)
    index += np.float32(0.5)
    return _ENCODE_TABLE[index.astype(np.uint16)]
