"""Bags read and written with rosbags: header stamps from CDR, topic choice, static transforms, errors."""
from __future__ import annotations

import numpy as np
import pytest
from rosbags.interfaces import QosDurability, QosReliability

from monodepth_ros.core.camera.transforms import invert, transform_from_pose7
from monodepth_ros.core.sources.bag_file import (
    IMAGE_TYPE,
    LATCHED_QOS,
    STORAGES,
    TF_STATIC_TOPIC,
    TF_TYPE,
    TYPESTORE,
    BagError,
    BagReader,
    BagWriter,
    choose_topic,
    header_stamp_ns,
    lookup_static,
    tf_static_cdr,
)

HEADER_TYPE = "std_msgs/msg/Header"


def header_cdr(stamp_ns: int, frame_id: str = "camera", little_endian: bool = True) -> bytes:
    types = TYPESTORE.types
    header = types[HEADER_TYPE](stamp=types["builtin_interfaces/msg/Time"](
        sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000), frame_id=frame_id)
    return bytes(TYPESTORE.serialize_cdr(header, HEADER_TYPE, little_endian=little_endian))


@pytest.mark.parametrize("little_endian", [True, False])
def test_the_header_stamp_is_read_from_the_cdr_bytes_in_either_byte_order(little_endian):
    assert header_stamp_ns(header_cdr(1_700_000_123_456_789_012, little_endian=little_endian)) \
        == 1_700_000_123_456_789_012


def test_a_message_too_short_for_a_header_is_an_error():
    with pytest.raises(BagError, match="too short"):
        header_stamp_ns(b"\x00\x01\x00\x00\x00")


TOPICS = {"/a/image_raw": IMAGE_TYPE, "/a/camera_info": "sensor_msgs/msg/CameraInfo",
          "/b/image_raw": IMAGE_TYPE}


def test_the_only_topic_of_a_type_is_chosen_and_a_given_one_is_checked():
    assert choose_topic(TOPICS, "sensor_msgs/msg/CameraInfo", None, "--camera-info-topic") == "/a/camera_info"
    assert choose_topic(TOPICS, IMAGE_TYPE, "/b/image_raw", "--image-topic") == "/b/image_raw"
    assert choose_topic(TOPICS, "sensor_msgs/msg/PointCloud2", None, "--lidar-topic", required=False) is None


@pytest.mark.parametrize("given, msgtype, required, message", [
    (None, IMAGE_TYPE, True, r"2 sensor_msgs/msg/Image topics \(/a/image_raw, /b/image_raw\): choose one with "
                             r"--image-topic"),
    (None, "sensor_msgs/msg/PointCloud2", True, "no sensor_msgs/msg/PointCloud2 topic"),
    ("/c/image_raw", IMAGE_TYPE, True, r"no topic /c/image_raw \(--image-topic\); its topics: /a/camera_info"),
    ("/a/camera_info", IMAGE_TYPE, True, r"/a/camera_info \(--image-topic\) holds sensor_msgs/msg/CameraInfo"),
])
def test_an_ambiguous_missing_or_mistyped_topic_names_the_option(given, msgtype, required, message):
    with pytest.raises(BagError, match=message):
        choose_topic(TOPICS, msgtype, given, "--image-topic", required)


BASE_FROM_CAMERA = transform_from_pose7([0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5])
BASE_FROM_LIDAR = transform_from_pose7([0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("storage", sorted(STORAGES))
def test_a_written_bag_reads_back_with_its_messages_qos_and_static_transforms(tmp_path, storage):
    with BagWriter(tmp_path / "bag", storage) as writer:
        writer.add_topic(TF_STATIC_TOPIC, TF_TYPE, LATCHED_QOS)
        writer.add_topic("/stamps", HEADER_TYPE)
        writer.write(TF_STATIC_TOPIC, 5, tf_static_cdr([("base_link", "camera", BASE_FROM_CAMERA),
                                                        ("base_link", "lidar", BASE_FROM_LIDAR)], 5))
        for stamp in (10, 20, 30):
            writer.write("/stamps", stamp + 1, header_cdr(stamp))
    with BagReader(tmp_path / "bag") as reader:
        assert reader.topics == {TF_STATIC_TOPIC: TF_TYPE, "/stamps": HEADER_TYPE}
        assert reader.message_count(["/stamps"]) == 3
        assert [(m.log_time_ns, header_stamp_ns(m.data)) for m in reader.messages(["/stamps"])] == [
            (11, 10), (21, 20), (31, 30)]
        latched, stream = reader.offered_qos(TF_STATIC_TOPIC)[0], reader.offered_qos("/stamps")[0]
        assert latched.durability is QosDurability.TRANSIENT_LOCAL
        assert (stream.durability, stream.reliability) == (QosDurability.VOLATILE, QosReliability.RELIABLE)
        static = reader.static_transforms()
    assert sorted(static) == ["camera", "lidar"]
    assert static["camera"][0] == "base_link"
    np.testing.assert_allclose(static["camera"][1], BASE_FROM_CAMERA, atol=1e-9)
    np.testing.assert_allclose(lookup_static(static, "camera", "lidar"),
                               invert(BASE_FROM_CAMERA) @ BASE_FROM_LIDAR, atol=1e-9)
    np.testing.assert_allclose(lookup_static(static, "base_link", "lidar"), BASE_FROM_LIDAR, atol=1e-9)
    assert lookup_static(static, "camera", "gps") is None


def test_missing_corrupt_and_existing_bags_are_one_line_errors(tmp_path):
    with pytest.raises(BagError, match="^no bag at "):
        BagReader(tmp_path / "nothing")
    corrupt = tmp_path / "corrupt.mcap"
    corrupt.write_bytes(b"\x89MCAP0\r\n" + bytes(range(256)) * 4)
    with pytest.raises(BagError, match="^cannot read bag ") as raised:
        with BagReader(corrupt) as reader:
            list(reader.messages())
    assert "\n" not in str(raised.value)
    (tmp_path / "taken").mkdir()
    with pytest.raises(BagError, match="exists already"):
        BagWriter(tmp_path / "taken")
