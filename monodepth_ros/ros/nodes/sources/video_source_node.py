"""video_source_node: a video file, an image folder or a V4L2 webcam -> image + camera_info.

Publishes: image (rgb8) and camera_info (from a camera_info_manager YAML file, or a pinhole approximation from the
horizontal field of view), both with one header. Files are decoded with PyAV (container timestamps, any FFmpeg
codec, no system FFmpeg), webcams read with OpenCV (V4L2 format negotiation); see core/sources.
Subscribes (playback consumed only): consumed, the consumer's output, to pace the frames.
A source that cannot be opened or decoded is reported once and tried again every retry_period_s; the node stays up.
The end of a file is reported once (with loop false the node then idles).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from rclpy.qos import ReliabilityPolicy
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.camera.calibration import CameraCalibration, calibration_from_fov, load_camera_calibration
from monodepth_ros.core.sources.frame_source import FrameSource, open_frame_source
from monodepth_ros.core.sources.video_file import VideoSourceError
from monodepth_ros.ros.common.managed_node import ManagedNode
from monodepth_ros.ros.common.parameters import ParameterTable
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.common.qos import sensor_input_qos, stream_output_qos
from monodepth_ros.ros.conversions.camera_info import camera_info_from_calibration
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.nodes.sources.video_source_params import VIDEO_SOURCE_NODE_PARAMETERS
from monodepth_ros.ros.runners.node_runner import run_node

SUBSCRIBER_POLL_S = 0.05
"""How often the reader looks for a subscriber while nobody listens (seconds)."""
READER_STOP_TIMEOUT_S = 5.0


class VideoSourceNode(ManagedNode):
    """Reads the source on its own thread while active and publishes each frame."""

    def __init__(self, **kwargs) -> None:
        super().__init__("video_source_node", **kwargs)
        self.params = ParameterTable(self, VIDEO_SOURCE_NODE_PARAMETERS)
        self.problems = ProblemLog(self.get_logger())
        self.start_up()

    def configure(self) -> None:
        """Create the outputs (and the consumed input); the source itself is opened by the reader."""
        self.image_publisher = self.create_lifecycle_publisher(Image, "image", stream_output_qos())
        self.info_publisher = self.create_lifecycle_publisher(CameraInfo, "camera_info", stream_output_qos())
        self.consumed = threading.Condition()
        self.consumed_stamp_ns = -1
        if self.params["playback"] == "consumed":
            self.create_subscription(Image, "consumed", self.on_consumed,
                                     sensor_input_qos(ReliabilityPolicy.RELIABLE, depth=5))
        self.stop = threading.Event()
        self.reader: threading.Thread | None = None

    def activate(self) -> None:
        self.stop.clear()
        self.reader = threading.Thread(target=self.read_source, name="video_source", daemon=True)
        self.reader.start()

    def deactivate(self) -> None:
        self.stop.set()
        with self.consumed:
            self.consumed.notify_all()
        if self.reader is not None:
            self.reader.join(READER_STOP_TIMEOUT_S)

    def on_consumed(self, message: Image) -> None:
        with self.consumed:
            self.consumed_stamp_ns = max(self.consumed_stamp_ns, stamp_ns(message.header))
            self.consumed.notify_all()

    # The reader thread -------------------------------------------------------------------------------------------

    def read_source(self) -> None:
        """Open, play and (with loop) replay the source until deactivated; failures are retried."""
        while not self.stop.is_set():
            try:
                source = open_frame_source(self.params["source"], self.params["folder_fps"],
                                           (self.params["webcam_width"], self.params["webcam_height"]),
                                           self.params["webcam_fps"])
            except VideoSourceError as error:
                self.problems.report("source", f"cannot open source: {error}; trying again every "
                                     f"{self.params['retry_period_s']} s")
                self.stop.wait(self.params["retry_period_s"])
                continue
            try:
                calibration = self.calibration(source)
                published = self.play(source, calibration)
            except (VideoSourceError, ValueError) as error:
                self.problems.report("source", f"source failed: {error}; trying again every "
                                     f"{self.params['retry_period_s']} s")
                self.stop.wait(self.params["retry_period_s"])
                continue
            finally:
                source.close()
            if self.stop.is_set():
                return
            if not self.params["loop"]:
                self.get_logger().info(f"end of {Path(self.params['source']).name}: {published} frames published; "
                                       "idle (set loop to replay)")
                return

    def calibration(self, source: FrameSource) -> CameraCalibration:
        """The camera_info contents: the calibration file, else the field-of-view approximation (logged once)."""
        info = source.info
        url = self.params["camera_info_url"]
        if not url:
            self.problems.note("approximate", f"no camera_info_url: camera_info is a pinhole approximation from "
                               f"fov_deg {self.params['fov_deg']} deg ({info.width}x{info.height}, no distortion)")
            return calibration_from_fov(info.width, info.height, self.params["fov_deg"])
        calibration = load_camera_calibration(url)
        if (calibration.width, calibration.height) != (info.width, info.height):
            self.problems.note("calibration size", f"the calibration is for {calibration.width}x"
                               f"{calibration.height}, the images are {info.width}x{info.height}: consumers "
                               "rescale K (as for binning)")
        return calibration

    def play(self, source: FrameSource, calibration: CameraCalibration) -> int:
        """Publish the frames of ``source`` until its end or deactivation; returns how many were published."""
        frame_id = self.params["frame_id"]
        origin_ns = self.get_clock().now().nanoseconds
        wall_origin = time.monotonic()
        first_stamp_s = None
        published = 0
        for rgb, stamp_s in source.frames():
            paused_s = self.wait_for_subscribers()
            if self.stop.is_set():
                break
            if source.live:
                stamp = self.get_clock().now()
            else:
                first_stamp_s = stamp_s if first_stamp_s is None else first_stamp_s
                wall_origin += paused_s
                if self.params["playback"] == "realtime":
                    due = wall_origin + (stamp_s - first_stamp_s) / self.params["rate_scale"]
                    if self.stop.wait(max(due - time.monotonic(), 0.0)):
                        break
                stamp = None
            header = Header(frame_id=frame_id)
            if stamp is None:
                nanoseconds = origin_ns + int(round((stamp_s - first_stamp_s) * 1e9))
                header.stamp.sec, header.stamp.nanosec = divmod(nanoseconds, 1_000_000_000)
            else:
                header.stamp = stamp.to_msg()
            self.info_publisher.publish(camera_info_from_calibration(calibration, header))
            self.image_publisher.publish(array_to_image(rgb, "rgb8", header))
            self.problems.resolve("source")  # ends a source problem once it has stayed away for the hold time
            published += 1
            if self.params["playback"] == "consumed" and not source.live:
                self.wait_until_consumed(stamp_ns(header))
        return published

    def wait_for_subscribers(self) -> float:
        """Block while neither output has a subscriber; returns the seconds waited."""
        started = time.monotonic()
        while not self.stop.is_set() and (self.image_publisher.get_subscription_count() == 0
                                          and self.info_publisher.get_subscription_count() == 0):
            self.stop.wait(SUBSCRIBER_POLL_S)
        return time.monotonic() - started

    def wait_until_consumed(self, frame_stamp_ns: int) -> None:
        with self.consumed:
            self.consumed.wait_for(lambda: self.consumed_stamp_ns >= frame_stamp_ns or self.stop.is_set(),
                                   self.params["consumed_timeout_s"])


def main(args: list[str] | None = None) -> int:
    return run_node(VideoSourceNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
