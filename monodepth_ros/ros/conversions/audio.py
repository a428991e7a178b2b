"""Audio frames <-> std_msgs/Float32MultiArray: interleaved float samples with the sample rate in the layout.

Layout: dim[0] is the samples, labelled ``samples@<rate>`` (the sample rate in Hz, e.g. ``samples@22050``), size
N, stride N * C; dim[1] the channels, labelled ``channels``, size C (2: left, right), stride C; data_offset 0.
"""
from __future__ import annotations

import re

import numpy as np
from std_msgs.msg import Float32MultiArray, MultiArrayDimension, MultiArrayLayout

from monodepth_ros.ros.conversions.errors import ConversionError

SAMPLES_LABEL = re.compile(r"samples@(\d+)$")


def audio_to_message(samples: np.ndarray, sample_rate_hz: int) -> Float32MultiArray:
    """A message of float samples (N, C) in [-1, 1] at ``sample_rate_hz``."""
    samples = np.asarray(samples, np.float32)
    if samples.ndim != 2:
        raise ConversionError(f"audio samples must be (N, channels), got shape {samples.shape}")
    count, channels = samples.shape
    layout = MultiArrayLayout(dim=[
        MultiArrayDimension(label=f"samples@{int(sample_rate_hz)}", size=count, stride=count * channels),
        MultiArrayDimension(label="channels", size=channels, stride=channels)], data_offset=0)
    message = Float32MultiArray(layout=layout)
    message.data = samples.reshape(-1).tolist()
    return message


def message_to_audio(message: Float32MultiArray) -> tuple[np.ndarray, int]:
    """(float32 (N, C) samples, sample rate Hz) of an audio frame message; ConversionError when its layout is not
    the one described above."""
    dims = message.layout.dim
    match = SAMPLES_LABEL.match(dims[0].label) if len(dims) == 2 else None
    if match is None or dims[1].label != "channels":
        raise ConversionError("not an audio frame: the layout must be [samples@<rate>, channels], got "
                              f"{[dim.label for dim in dims]}")
    count, channels = dims[0].size, dims[1].size
    data = np.asarray(message.data, np.float32)
    if data.size != count * channels + message.layout.data_offset:
        raise ConversionError(f"audio frame holds {data.size} values, its layout {count} x {channels}")
    return data[message.layout.data_offset:].reshape(count, channels), int(match.group(1))
