"""The camera_info subscription of a processing node, and the pairing of each frame with its camera_info."""
from __future__ import annotations

import time

from sensor_msgs.msg import CameraInfo

from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog
from monodepth_ros.ros.conversions.header import stamp_ns

CAMERA_INFO_WAIT_S = 0.05
"""How long a frame handled before its camera_info waits for it (drivers publish the two together)."""
CAMERA_INFO_STALE_S = 5.0
"""Frames that arrive this long after the last camera_info are reported (WARN): the driver's calibration stream
stopped, and the intrinsics in use may be stale (seconds)."""


class CameraInfoInput:
    """Keeps the recent camera_info messages on ``topic`` and finds the one for a frame.

    A frame takes the camera_info stamped like it, waiting for it briefly while the stream is in step;
    failing that the newest camera_info serves (intrinsics rarely change), so a driver that stamps the two
    differently still works. When none came for CAMERA_INFO_STALE_S while frames do, that is a warning.
    """

    def __init__(self, node, topic: str, reliability: str, problems: ProblemLog, callback_group=None) -> None:
        self._buffer: StampedBuffer[CameraInfo] = StampedBuffer()
        self._problems = problems
        self._last_received_s: float | None = None
        self.subscription = AdaptiveSubscription(node, CameraInfo, topic, self._on_camera_info, reliability,
                                                 callback_group=callback_group)

    def _on_camera_info(self, info: CameraInfo) -> None:
        self._last_received_s = time.monotonic()
        self._buffer.add(stamp_ns(info.header), info)

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
        silent_s = time.monotonic() - (self._last_received_s or time.monotonic())
        if silent_s > CAMERA_INFO_STALE_S:
            self._problems.report("stale camera_info", f"no camera_info on {self.topic} for {silent_s:.0f} s while "
                                  f"{frames} arrive: using the last one (has the driver stopped publishing it?)",
                                  "warning")
        else:
            self._problems.resolve("stale camera_info")
        return info
