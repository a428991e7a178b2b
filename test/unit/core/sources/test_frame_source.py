"""Any source through one call: video files (container stamps), image folders (index / fps), webcams; clear errors."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from monodepth_ros.core.sources.frame_source import open_frame_source
from monodepth_ros.core.sources.image_folder import ImageFolderReader
from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter, VideoSourceError
from monodepth_ros.core.sources.webcam import webcam_device


def gradient(index: int, width: int = 32, height: int = 24) -> np.ndarray:
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None]
    rgb[..., 1] = 10 * index
    return rgb


def test_a_folder_plays_in_name_order_with_stamps_from_the_frame_rate(tmp_path):
    for index in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"frame_{index:03d}.png"), cv2.cvtColor(gradient(index), cv2.COLOR_RGB2BGR))
    (tmp_path / "notes.txt").write_text("not an image")
    source = open_frame_source(str(tmp_path), folder_fps=5.0)
    assert isinstance(source, ImageFolderReader) and not source.live
    frames = list(source.frames())
    assert [stamp for _, stamp in frames] == pytest.approx([0.0, 0.2, 0.4])
    assert [int(rgb[0, 0, 1]) for rgb, _ in frames] == [0, 10, 20]
    assert (source.info.width, source.info.height, source.info.frame_count) == (32, 24, 3)


def test_a_folder_with_images_of_two_sizes_fails_on_the_odd_one(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), gradient(0))
    cv2.imwrite(str(tmp_path / "b.png"), gradient(1, width=40))
    with pytest.raises(VideoSourceError, match="b.png is 40x24"):
        list(open_frame_source(str(tmp_path)).frames())


def test_a_video_file_opens_as_a_video_reader(tmp_path):
    path = tmp_path / "clip.mp4"
    with VideoFileWriter(path, 10.0, 32, 24) as writer:
        for index in range(4):
            writer.write(gradient(index))
    source = open_frame_source(str(path))
    assert isinstance(source, VideoFileReader) and not source.live
    assert [round(stamp, 3) for _, stamp in source.frames()] == [0.0, 0.1, 0.2, 0.3]
    source.close()


@pytest.mark.parametrize("source, expected", [("0", 0), (" 2 ", 2), ("/dev/video1", "/dev/video1"),
                                              ("clip.mp4", None), ("frames/", None)])
def test_webcam_sources_are_an_index_or_a_device_path(source, expected):
    assert webcam_device(source) == expected


def test_bad_sources_fail_with_one_line_reasons(tmp_path):
    (tmp_path / "broken.mp4").write_bytes(b"this is not a video")
    (tmp_path / "empty").mkdir()
    for source, reason in [("", "no source given"), (str(tmp_path / "missing.mp4"), "file not found"),
                           (str(tmp_path / "broken.mp4"), "cannot read broken.mp4"),
                           (str(tmp_path / "empty"), "no images"), ("/dev/video97", "cannot open webcam")]:
        with pytest.raises(VideoSourceError, match=reason) as raised:
            open_frame_source(source)
        assert "\n" not in str(raised.value)
