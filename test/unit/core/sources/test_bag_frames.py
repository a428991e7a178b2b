"""Images paired with the partner messages nearest in header stamp, whichever was recorded first."""
from __future__ import annotations

from test_bag_file import HEADER_TYPE, header_cdr

from monodepth_ros.core.sources.bag_file import BagReader, BagWriter, header_stamp_ns
from monodepth_ros.core.sources.bag_frames import Partner, paired_frames

MS = 1_000_000


def write_bag(path, messages):
    """``messages``: (topic, log time ns, header stamp ns) in any order."""
    with BagWriter(path) as writer:
        for topic in sorted({topic for topic, _, _ in messages}):
            writer.add_topic(topic, HEADER_TYPE)
        for topic, log_time, stamp in messages:
            writer.write(topic, log_time, header_cdr(stamp))


def stamps(frame):
    return frame.stamp_ns, {name: None if message is None else header_stamp_ns(message.data)
                            for name, message in frame.partners.items()}


def test_a_cloud_recorded_after_its_image_is_still_paired_and_a_missing_one_is_none(tmp_path):
    images = [("/image", (index * 100 + 5) * MS, index * 100 * MS) for index in range(4)]
    # the cloud of each frame is recorded 150 ms late, 20 ms off the image stamp; frame 2 has none
    clouds = [("/cloud", (index * 100 + 150) * MS, (index * 100 + 20) * MS) for index in (0, 1, 3)]
    write_bag(tmp_path / "bag", images + clouds)
    with BagReader(tmp_path / "bag") as reader:
        frames = list(paired_frames(reader, "/image", {"lidar": Partner("/cloud", 50 * MS)}))
    assert [stamps(frame) for frame in frames] == [
        (0, {"lidar": 20 * MS}), (100 * MS, {"lidar": 120 * MS}), (200 * MS, {"lidar": None}),
        (300 * MS, {"lidar": 320 * MS})]


def test_the_nearest_within_tolerance_wins_and_camera_info_falls_back_to_the_newest(tmp_path):
    images = [("/image", index * 100 * MS + 1, index * 100 * MS) for index in range(3)]
    clouds = [("/cloud", stamp, stamp) for stamp in (60 * MS, 90 * MS, 130 * MS)]
    # camera_info stamped differently from the images (a driver that stamps it on its own clock)
    infos = [("/info", 0, 7 * MS), ("/info", 150 * MS, 157 * MS)]
    write_bag(tmp_path / "bag", images + clouds + infos)
    partners = {"lidar": Partner("/cloud", 50 * MS), "camera_info": Partner("/info", 1 * MS, True)}
    with BagReader(tmp_path / "bag") as reader:
        frames = [stamps(frame) for frame in paired_frames(reader, "/image", partners)]
    assert frames == [(0, {"lidar": None, "camera_info": 7 * MS}),
                      (100 * MS, {"lidar": 90 * MS, "camera_info": 7 * MS}),
                      (200 * MS, {"lidar": None, "camera_info": 157 * MS})]
