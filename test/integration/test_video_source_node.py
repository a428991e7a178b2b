"""video_source_node in its own process: a video file made here, stamps from its container, camera_info from a
calibration file or the field of view, retried bad sources, end of file reported once."""
from __future__ import annotations

import numpy as np
import pytest
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image

from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import image_to_array

WIDTH, HEIGHT = 64, 48
STAMPS_S = [0.0, 0.1, 0.3, 0.35, 0.5]
CALIBRATION = """\
image_width: 64
image_height: 48
camera_name: test
camera_matrix: {rows: 3, cols: 3, data: [70.0, 0.0, 31.0, 0.0, 71.0, 23.0, 0.0, 0.0, 1.0]}
distortion_model: plumb_bob
distortion_coefficients: {rows: 1, cols: 5, data: [0.01, 0.0, 0.0, 0.0, 0.0]}
"""


def write_clip(path, stamps_s=STAMPS_S) -> None:
    with VideoFileWriter(path, 10.0, WIDTH, HEIGHT) as writer:
        for index, stamp in enumerate(stamps_s):
            rgb = np.full((HEIGHT, WIDTH, 3), 40, np.uint8)
            rgb[:, 8 * index:8 * index + 8] = 220
            writer.write(rgb, stamp)


class Viewer:
    def __init__(self, node) -> None:
        self.node = node
        self.images: list[Image] = []
        self.infos: list[CameraInfo] = []
        node.create_subscription(Image, "/video/image", self.images.append, qos(ReliabilityPolicy.RELIABLE, 50))
        node.create_subscription(CameraInfo, "/video/camera_info", self.infos.append,
                                 qos(ReliabilityPolicy.RELIABLE, 50))


@pytest.fixture
def video_source(node_processes):
    return lambda **parameters: node_processes("monodepth_ros.ros.nodes.sources.video_source_node", "/video",
                                               parameters)


def test_frames_carry_the_container_stamps_and_the_calibration(tmp_path, video_source, test_nodes):
    clip = tmp_path / "clip.mp4"
    write_clip(clip)
    calibration = tmp_path / "camera.yaml"
    calibration.write_text(CALIBRATION)
    node = video_source(source=str(clip), camera_info_url=f"file://{calibration}", frame_id="cam")
    viewer = Viewer(test_nodes("viewer_calibrated"))
    assert spin_until(viewer.node, lambda: len(viewer.images) >= len(STAMPS_S) and len(viewer.infos) >= 5, 30.0), \
        node.log()
    stamps = np.array([stamp_ns(image.header) for image in viewer.images]) / 1e9
    np.testing.assert_allclose(stamps - stamps[0], STAMPS_S, atol=2e-3)
    assert [image.header for image in viewer.images] == [info.header for info in viewer.infos]
    assert viewer.images[0].header.frame_id == "cam" and viewer.images[0].encoding == "rgb8"
    first = image_to_array(viewer.images[0])
    assert first.shape == (HEIGHT, WIDTH, 3) and first[:, 2].mean() > 180 and first[:, 30].mean() < 80
    assert list(viewer.infos[0].k) == pytest.approx([70.0, 0.0, 31.0, 0.0, 71.0, 23.0, 0.0, 0.0, 1.0])
    assert list(viewer.infos[0].d)[0] == pytest.approx(0.01)
    assert spin_until(viewer.node, lambda: "end of clip.mp4: 5 frames" in node.log(), 10.0), node.log()
    spin_until(viewer.node, lambda: False, 0.5)
    assert node.log().count("end of clip.mp4") == 1 and len(viewer.images) == len(STAMPS_S)
    assert node.alive()


def test_a_missing_file_is_reported_once_and_played_once_it_appears(tmp_path, video_source, test_nodes):
    clip = tmp_path / "later.mp4"
    node = video_source(source=str(clip), fov_deg=90.0, retry_period_s=0.3)
    viewer = Viewer(test_nodes("viewer_missing"))
    assert spin_until(viewer.node, lambda: "file not found" in node.log(), 30.0), node.log()
    spin_until(viewer.node, lambda: False, 1.5)
    assert node.log().count("file not found") == 1, "a repeated failure is logged once"
    assert node.alive() and viewer.images == []
    write_clip(clip, [0.1 * index for index in range(15)])
    assert spin_until(viewer.node, lambda: len(viewer.images) >= 15 and len(viewer.infos) >= 15, 30.0), node.log()
    assert viewer.infos[0].k[0] == pytest.approx(WIDTH / 2.0), "fx = (width / 2) / tan(90 deg / 2)"
    log = node.log()
    assert "approximation" in log and "resolved" in log


def test_an_unreadable_file_is_an_error_and_the_node_stays_up(tmp_path, video_source, test_nodes):
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"\x1a\x45\xdf\xa3 this is not a matroska file")
    node = video_source(source=str(broken), retry_period_s=0.3)
    viewer = Viewer(test_nodes("viewer_broken"))
    assert spin_until(viewer.node, lambda: "broken.mkv" in node.log(), 30.0), node.log()
    spin_until(viewer.node, lambda: False, 1.0)
    errors = [line for line in node.log().splitlines() if "broken.mkv" in line]
    assert len(errors) == 1 and "[ERROR]" in errors[0], errors
    assert node.alive()
