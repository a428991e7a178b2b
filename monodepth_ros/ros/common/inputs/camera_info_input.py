"""The camera_info subscription of a processing node, and the pairing of each frame with its camera_info."""
from __future__ import annotations

from sensor_msgs.msg import CameraInfo

from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.conversions.header import stamp_ns

CAMERA_INFO_WAIT_S = 0.05
"""How long a frame handled before its camera_info waits for it (drivers publish the two together)."""


class CameraInfoInput:
    """Keeps the recent camera_info messages on ``topic`` and finds the one for a frame.

    A frame takes the camera_info stamped like it, waiting for it briefly while the stream is in step;
    failing that the newest camera_info serves (intrinsics rarely change), so a driver that stamps the two
    differently still works.
    """

    def __init__(self, node, topic: str, reliability: str, problems: ProblemLog, callback_group=None) -> None:
        self._buffer: StampedBuffer[CameraInfo] = StampedBuffer()
        self._problems = problems
        self.subscription = AdaptiveSubscription(node, CameraInfo, topic,
                                                 lambda info: self._buffer.add(stamp_ns(info.header), info),
                                                 reliability, callback_group=callback_group)

    @property
    def topic(self) -> str:
        return self.subscription.topic

    def for_frame(self, frame_stamp_ns: int, tolerance_s: float, frames: str) -> CameraInfo | None:
        """The camera_info for a frame stamped ``frame_stamp_ns``; None (reported once, naming ``frames``,
        the kind of frame skipped) until the first camera_info arrives."""
        info = self._buffer.match_or_latest(frame_stamp_ns, int(tolerance_s * 1e9), CAMERA_INFO_WAIT_S)
        if info is None:
            self._problems.report("camera_info", f"no camera_info received on {self.topic}; {frames} are "
                                  "skipped until one arrives (is it published and remapped?)", "warning")
            return None
        self._problems.resolve("camera_info")
        return info
