"""depth_effects_node: image + depth + camera_info (+ beat) -> effects/image, a depth effect such as bokeh or fog.

Subscribes: image (any colour encoding), depth/image (32FC1 metres or 16UC1 millimetres, any resolution of the
same view; remap it to e.g. depth/fused), camera_info (of the image; scaled to it), and beat (std_msgs/Float32,
0..1, e.g. from a live audio analyser or a MIDI bridge: each message is a beat of that strength).
Publishes: effects/image (rgb8, rgba8 for a transparent background; the image's header), /diagnostics.
The effect and its parameters (``effect``, ``<effect>.<name>``) can change at run time; invalid combinations are
rejected with the reason. Works only while someone subscribes to effects/image, always on the newest depth image.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import cv2
import numpy as np
from rcl_interfaces.msg import SetParametersResult
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.parameter import Parameter
from sensor_msgs.msg import Image
from std_msgs.msg import Float32

from monodepth_ros.core.audio.envelope import BeatEnvelope
from monodepth_ros.core.effects.animator import EffectAnimator, beat_mode_error
from monodepth_ros.core.effects.options import with_options
from monodepth_ros.core.effects.registry import get_effect
from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.ros.common.inputs.adaptive_subscription import AdaptiveSubscription
from monodepth_ros.ros.common.inputs.camera_info_input import CameraInfoInput
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres, image_to_rgb
from monodepth_ros.ros.nodes.media.depth_effects_params import (DEPTH_EFFECTS_NODE_PARAMETERS, namespace,
                                                          node_fields)
from monodepth_ros.ros.runners.node_runner import run_node

IMAGE_WAIT_S = 0.1
"""How long a depth image waits for its colour image before it is skipped."""
IMAGE_HISTORY = 30
ANIMATOR_SETTINGS = ("effect", "beat_sync", "beat_strength", "smoothing_s")


class DepthEffectsNode(WorkerNode):
    """Applies the selected depth effect to the newest image with depth, off the subscription callbacks."""

    def __init__(self, **kwargs) -> None:
        super().__init__("depth_effects_node", DEPTH_EFFECTS_NODE_PARAMETERS, "depth effect", **kwargs)

    def configure(self) -> None:
        """Check the effect settings, create the output and the subscriptions (the lifecycle transition configure)."""
        startup = self._check_combination([])
        if not startup.successful:
            raise ValueError(f"invalid parameter: {startup.reason}")
        self._combination_check = self.add_on_set_parameters_callback(self._check_combination)
        self.output = self.create_output_publisher(Image, "effects/image", stream_output_qos())
        self.images: StampedBuffer[Image] = StampedBuffer(IMAGE_HISTORY)
        self._beat_lock = threading.Lock()
        self._beat_level = 0.0
        self._envelope: BeatEnvelope | None = None
        self._animator: EffectAnimator | None = None
        self._animator_key: tuple | None = None
        self.last_timings_ms: dict[str, float] = {}
        inputs = MutuallyExclusiveCallbackGroup()
        reliability = self.params["reliability"]
        self.depth_subscription = AdaptiveSubscription(self, Image, "depth/image", self.submit, reliability,
                                                       callback_group=inputs)
        self.image_subscription = AdaptiveSubscription(self, Image, "image", self.on_image, reliability, depth=5,
                                                       callback_group=inputs)
        self.camera_info = CameraInfoInput(self, "camera_info", reliability, self.problems, callback_group=inputs)
        self.create_subscription(Float32, "beat", self.on_beat, 10, callback_group=inputs)

    def cleanup(self) -> None:
        self.remove_on_set_parameters_callback(self._combination_check)

    # Parameters ------------------------------------------------------------------------------------------------

    def effect_values(self, effect_name: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The node parameters of ``effect_name`` as effect field values (``overrides`` by full name first)."""
        overrides = overrides or {}
        values = {}
        for field in node_fields(effect_name):
            name = f"{namespace(effect_name)}.{field.name}"
            value = overrides[name] if name in overrides else self.params[name]
            values[field.name] = tuple(value) if isinstance(value, (list, tuple)) else value
        return values

    def _check_combination(self, parameters: list[Parameter]) -> SetParametersResult:
        """Reject updates that make the effect's parameters or the beat mode invalid together."""
        changes = {parameter.name: parameter.value for parameter in parameters}
        effect_name = changes.get("effect", self.params["effect"])
        beat_sync = changes.get("beat_sync", self.params["beat_sync"])
        error = beat_mode_error(beat_sync, effect_name)
        if error is None:
            try:
                effect = get_effect(effect_name)
                with_options(effect.defaults(), self.effect_values(effect_name, changes))
            except ValueError as invalid:
                error = str(invalid)
        return SetParametersResult(successful=error is None, reason=error or "")

    def animator(self) -> EffectAnimator:
        """The animator of the current effect settings (kept while they stay the same, so smoothing carries on);
        its parameters are refreshed from the node parameters."""
        effect_name = self.params["effect"]
        effect = get_effect(effect_name)
        params = with_options(effect.defaults(), self.effect_values(effect_name))
        key = tuple(self.params[name] for name in ANIMATOR_SETTINGS)
        if self._animator is None or key != self._animator_key:
            self._animator = EffectAnimator(effect, params, self.params["beat_sync"], self.params["beat_strength"],
                                            self.params["smoothing_s"])
            self._animator_key = key
        self._animator.params = params
        return self._animator

    # Inputs ----------------------------------------------------------------------------------------------------

    def on_image(self, image: Image) -> None:
        self.images.add(stamp_ns(image.header), image)

    def on_beat(self, beat: Float32) -> None:
        with self._beat_lock:
            self._beat_level = max(self._beat_level, float(np.clip(beat.data, 0.0, 1.0)))

    def _take_beat(self, time_s: float) -> float:
        with self._beat_lock:
            level, self._beat_level = self._beat_level, 0.0
        decay_s = self.params["beat_decay_s"]
        if self._envelope is None or self._envelope.decay_s != decay_s:
            self._envelope = BeatEnvelope(decay_s)
        return self._envelope.update(time_s, level)

    # Processing ------------------------------------------------------------------------------------------------

    def process(self, depth_message: Image) -> None:
        """Publish the effect on the image paired with one depth image (runs on the worker thread)."""
        stamp = stamp_ns(depth_message.header)
        tolerance_s = self.params["sync_tolerance_s"]
        info = self.camera_info.for_frame(stamp, tolerance_s, "depth images")
        if info is None:
            return
        image_message = self.images.match(stamp, int(tolerance_s * 1e9), wait_s=IMAGE_WAIT_S)
        if image_message is None:
            self.problems.report("image", f"no image within {tolerance_s:.3f} s of the depth stamp on "
                                 f"{self.image_subscription.topic}; depth images are skipped until one arrives",
                                 "warning")
            return
        self.problems.resolve("image")
        started = time.perf_counter()
        topic = self.image_subscription.topic
        try:
            rgb = image_to_rgb(image_message)
            topic = self.depth_subscription.topic
            depth = depth_image_to_metres(depth_message)
            topic = self.camera_info.topic
            intrinsics = camera_info_to_intrinsics(camera_info_for_image(info, image_message.header, rgb.shape[1],
                                                                         rgb.shape[0]))
        except ConversionError as error:
            self.problems.report("input", f"dropping input: {topic}: {error}")
            return
        self.problems.resolve("input")
        if depth.shape != rgb.shape[:2]:
            depth = cv2.resize(depth, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST)
        decoded = time.perf_counter()
        time_s = stamp_ns(image_message.header) / 1e9
        try:
            animator = self.animator()
        except ValueError as error:
            self.problems.report("parameters", f"invalid effect parameters: {error}; no images are published "
                                 "until they are fixed")
            return
        self.problems.resolve("parameters")
        result, _ = animator.render(rgb, depth, intrinsics, time_s, self._take_beat(time_s))
        rendered = time.perf_counter()
        encoding = "rgba8" if result.shape[2] == 4 else "rgb8"
        self.output.publish(array_to_image(np.ascontiguousarray(result), encoding, image_message.header))
        done = time.perf_counter()
        self.last_timings_ms = {"decode": (decoded - started) * 1e3, "effect": (rendered - decoded) * 1e3,
                                "publish": (done - rendered) * 1e3, "total": (done - started) * 1e3}
        self.record_output(stamp_ns(image_message.header))

    def diagnostic_values(self) -> dict[str, object]:
        values: dict[str, object] = {"effect": self.params["effect"], "beat_sync": self.params["beat_sync"]}
        values.update({f"{stage}_ms": f"{ms:.2f}" for stage, ms in self.last_timings_ms.items()})
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(DepthEffectsNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
