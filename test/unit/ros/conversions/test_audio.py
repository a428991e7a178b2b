"""Audio frames through std_msgs/Float32MultiArray: samples and sample rate survive, other layouts are refused."""
from __future__ import annotations

import numpy as np
import pytest
from std_msgs.msg import Float32MultiArray, MultiArrayDimension

from monodepth_ros.ros.conversions.audio import audio_to_message, message_to_audio
from monodepth_ros.ros.conversions.errors import ConversionError


def test_a_stereo_frame_round_trips_with_its_sample_rate():
    samples = np.stack([np.linspace(-1.0, 1.0, 441), np.linspace(1.0, -1.0, 441)], axis=1).astype(np.float32)
    message = audio_to_message(samples, 44100)
    assert [(dim.label, dim.size, dim.stride) for dim in message.layout.dim] == [("samples@44100", 441, 882),
                                                                               ("channels", 2, 2)]
    assert message.data[:2].tolist() == [-1.0, 1.0], "interleaved left, right"
    back, rate = message_to_audio(message)
    np.testing.assert_array_equal(back, samples)
    assert rate == 44100


def test_other_layouts_and_sizes_are_refused():
    with pytest.raises(ConversionError, match=r"samples@<rate>, channels"):
        message_to_audio(Float32MultiArray())
    message = audio_to_message(np.zeros((10, 2), np.float32), 16000)
    message.layout.dim[0] = MultiArrayDimension(label="samples@16000", size=11, stride=22)
    with pytest.raises(ConversionError, match="holds 20 values, its layout 11 x 2"):
        message_to_audio(message)
    with pytest.raises(ConversionError, match=r"\(N, channels\)"):
        audio_to_message(np.zeros(10, np.float32), 16000)
