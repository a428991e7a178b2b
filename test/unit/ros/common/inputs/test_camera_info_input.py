"""Pairing frames with camera_info over real DDS: the matching stamp, a late one, the newest, none yet."""
from __future__ import annotations

import threading
import time

import pytest
from ros_helpers import spinning, wait_until
from sensor_msgs.msg import CameraInfo

from monodepth_ros.ros.common.inputs import camera_info_input
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.common.qos import stream_output_qos

TOPIC = "/camera_info_pairing/camera_info"
TOLERANCE_S = 0.01


class RecordingLogger:
    """The logger interface ProblemLog writes to, keeping (level, message) pairs."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []

    def error(self, message: str) -> None:
        self.records.append(("error", message))

    def warning(self, message: str) -> None:
        self.records.append(("warning", message))

    def info(self, message: str) -> None:
        self.records.append(("info", message))


def info_at(stamp_s: float, width: int = 640) -> CameraInfo:
    """A camera_info stamped ``stamp_s`` (seconds); ``width`` tells messages apart."""
    info = CameraInfo(width=width, height=480)
    info.header.stamp.sec, info.header.stamp.nanosec = int(stamp_s), round(stamp_s % 1 * 1e9)
    return info


def ns(stamp_s: float) -> int:
    return round(stamp_s * 1e9)


class Pairing:
    def __init__(self, test_nodes) -> None:
        self.logger = RecordingLogger()
        self.node, peer = test_nodes("camera_info_pairing"), test_nodes("camera_info_driver")
        self.problems = ProblemLog(self.logger, resolve_hold_s=0.0)
        self.input = CameraInfoInput(self.node, TOPIC, "reliable", self.problems)
        self.publisher = peer.create_publisher(CameraInfo, TOPIC, stream_output_qos(depth=10))
        self.peer = peer

    def publish_and_wait(self, stamp_s: float, width: int) -> None:
        """Publish a camera_info and wait until the input holds it."""
        self.publisher.publish(info_at(stamp_s, width))
        assert wait_until(lambda: (self.lookup(stamp_s) or CameraInfo()).width == width, 10.0)

    def lookup(self, stamp_s: float) -> CameraInfo | None:
        return self.input.for_frame(ns(stamp_s), TOLERANCE_S, "images")


@pytest.fixture
def pairing(test_nodes):
    made = Pairing(test_nodes)
    with spinning(made.node, made.peer):
        assert wait_until(lambda: made.publisher.get_subscription_count() > 0, 10.0)
        yield made


def test_frames_are_skipped_with_one_warning_until_the_first_camera_info(pairing):
    assert pairing.lookup(10.0) is None
    assert pairing.lookup(10.1) is None
    warnings = [message for level, message in pairing.logger.records if level == "warning"]
    assert len(warnings) == 1, "warned once, not per frame"
    assert TOPIC in warnings[0] and "images are skipped" in warnings[0]
    pairing.publish_and_wait(10.2, width=320)
    assert pairing.lookup(10.2).width == 320
    assert [level for level, _ in pairing.logger.records] == ["warning", "info"], "resolved once it arrived"
    assert pairing.problems.active() == {}


def test_a_frame_takes_the_camera_info_with_its_stamp_not_the_newest(pairing):
    for stamp_s, width in ((20.0, 100), (20.1, 200), (20.2, 300)):
        pairing.publish_and_wait(stamp_s, width)
    assert pairing.lookup(20.1).width == 200
    assert pairing.lookup(20.0 + TOLERANCE_S / 2).width == 100, "the nearest stamp within the tolerance"


def test_a_camera_info_arriving_just_after_its_frame_is_waited_for(pairing, monkeypatch):
    monkeypatch.setattr(camera_info_input, "CAMERA_INFO_WAIT_S", 3.0)
    pairing.publish_and_wait(30.0, width=100)
    assert pairing.lookup(30.0).width == 100  # in step: the next lookup may wait
    threading.Timer(0.3, lambda: pairing.publisher.publish(info_at(30.1, width=200))).start()
    started = time.monotonic()
    assert pairing.lookup(30.1).width == 200, "waited for the late camera_info instead of taking the newest"
    assert time.monotonic() - started < 3.0


def test_without_a_matching_stamp_the_newest_serves_and_only_the_first_miss_waits(pairing, monkeypatch):
    monkeypatch.setattr(camera_info_input, "CAMERA_INFO_WAIT_S", 1.0)
    pairing.publish_and_wait(40.0, width=100)
    pairing.publish_and_wait(40.1, width=200)
    assert pairing.lookup(40.1).width == 200
    started = time.monotonic()
    assert pairing.lookup(45.0).width == 200, "a driver stamping camera_info differently still works"
    assert time.monotonic() - started >= 1.0, "the first miss waits for a camera_info on its way"
    started = time.monotonic()
    assert pairing.lookup(46.0).width == 200
    assert time.monotonic() - started < 0.5, "out of step: later frames do not wait"
    assert pairing.problems.active() == {}


def test_camera_info_that_stopped_while_frames_go_on_is_a_warning_until_it_returns(pairing, monkeypatch):
    monkeypatch.setattr(camera_info_input, "CAMERA_INFO_STALE_S", 0.3)
    pairing.publish_and_wait(50.0, width=100)
    assert pairing.problems.active() == {}
    time.sleep(0.4)
    assert pairing.lookup(50.5).width == 100, "the last camera_info still serves"
    assert "no camera_info on" in pairing.problems.active()["stale camera_info"]
    assert pairing.logger.records[-1][0] == "warning"
    pairing.publish_and_wait(51.0, width=200)
    assert pairing.problems.active() == {}
