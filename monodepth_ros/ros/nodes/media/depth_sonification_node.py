"""depth_sonification_node: depth + camera_info -> sonification/audio, obstacles as stereo sound.

Subscribes: depth/image (32FC1 metres or 16UC1 millimetres; remap it to e.g. depth/fused), depth/camera_info.
Publishes: sonification/audio (std_msgs/Float32MultiArray stereo frames, the sample rate in the layout, see
monodepth_ros.ros.conversions.audio) at update_rate_hz, and plays the same frames on the system sound device when
one exists (``sound_device`` auto). The nearest obstacle in each azimuth sector becomes a tone panned by azimuth,
higher and louder the nearer it is (monodepth_ros.core.audio.sonification); without recent depth it fades to
silence. Depth images are analysed on the worker thread (newest only); a timer writes the frames, so the sound
stays continuous whatever the depth rate. Works while sonification/audio is subscribed or a sound device plays.
"""
from __future__ import annotations

import threading
import time

import numpy as np
from sensor_msgs.msg import Image
from std_msgs.msg import Float32MultiArray

from monodepth_ros.core.audio.playback import open_sound_output
from monodepth_ros.core.audio.sonification import SectorTones, SonificationConfig, Sonifier
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.parameters import config_from_parameters
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.audio import audio_to_message
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import depth_image_to_metres
from monodepth_ros.ros.nodes.media.depth_sonification_params import DEPTH_SONIFICATION_NODE_PARAMETERS
from monodepth_ros.ros.runners.node_runner import run_node


class DepthSonificationNode(WorkerNode):
    """Analyses the newest depth image per sector and writes continuous stereo audio frames from it."""

    def __init__(self, **kwargs) -> None:
        super().__init__("depth_sonification_node", DEPTH_SONIFICATION_NODE_PARAMETERS, "depth sonification",
                         **kwargs)

    def configure(self) -> None:
        """Check the settings, open the sound device if any, create the output, the frame timer and the inputs."""
        self.config = config_from_parameters(SonificationConfig, self.params)
        self.sonifier = Sonifier(self.config)
        self._lock = threading.Lock()
        self._tones: SectorTones | None = None
        self._tones_at = 0.0
        self.last_sonify_ms = 0.0
        self.sound, why = (None, "none") if self.params["sound_device"] == "none" else \
            open_sound_output(self.config.sample_rate_hz)
        self.sound_state = "playing" if self.sound is not None else why
        if self.sound is None and self.params["sound_device"] == "auto":
            self.get_logger().info(f"{why}: the audio is only published on sonification/audio")
        self.output = self.create_output_publisher(Float32MultiArray, "sonification/audio", stream_output_qos())
        reliability = self.params["reliability"]
        self.depth_subscription = AdaptiveSubscription(self, Image, "depth/image", self.submit, reliability)
        self.camera_info = CameraInfoInput(self, "depth/camera_info", reliability, self.problems)
        self.create_timer(1.0 / self.config.update_rate_hz, self.write_frame)

    def cleanup(self) -> None:
        if self.sound is not None:
            self.sound.close()

    def submit(self, item) -> None:
        """Analyse depth while the audio is subscribed or played."""
        if self.sound is not None and self.lifecycle_state == "active":
            self.worker.submit(item)
        else:
            super().submit(item)

    def process(self, depth_message: Image) -> None:
        """The sector tones of one depth image (on the worker thread)."""
        stamp = stamp_ns(depth_message.header)
        info = self.camera_info.for_frame(stamp, self.params["camera_info_tolerance_s"], "depth images")
        if info is None:
            return
        started = time.perf_counter()
        try:
            depth = depth_image_to_metres(depth_message)
            intrinsics = camera_info_to_intrinsics(camera_info_for_image(info, depth_message.header,
                                                                         depth.shape[1], depth.shape[0]))
        except ConversionError as error:
            self.problems.report(f"input: {error}", f"dropping depth image: {error}")
            return
        self.problems.resolve("input:")
        tones = self.sonifier.targets(depth, intrinsics)
        with self._lock:
            self._tones, self._tones_at = tones, time.monotonic()
        self.last_sonify_ms = (time.perf_counter() - started) * 1e3
        self.record_output(stamp)

    def write_frame(self) -> None:
        """One audio frame from the newest tones (silence once they are stale), published and played."""
        if self.lifecycle_state != "active" or not (self.demand.active or self.sound is not None):
            return
        with self._lock:
            fresh = time.monotonic() - self._tones_at <= self.params["stale_after_s"]
            tones = self._tones if fresh else None
        samples = self.sonifier.synthesise(tones)
        self.output.publish(audio_to_message(samples, self.config.sample_rate_hz))
        if self.sound is not None:
            self.sound.play(samples)

    def diagnostic_values(self) -> dict[str, object]:
        with self._lock:
            distances = self._tones.distance_m if self._tones is not None else np.full(self.config.sectors, np.nan)
        return {"sound_device": self.sound_state, "sonify_ms": f"{self.last_sonify_ms:.2f}",
                "nearest_m": " ".join(f"{value:.2f}" for value in distances)}


def main(args: list[str] | None = None) -> int:
    return run_node(DepthSonificationNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
