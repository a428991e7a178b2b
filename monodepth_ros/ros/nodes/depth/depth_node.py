"""depth_node: image + camera_info -> metric depth image (REP 118), for one camera or several sharing one model.

Per camera namespace ``<cam>`` of the ``cameras`` parameter (default: the node's own, unnamespaced stream):
subscribes <cam>/image (sensor_msgs/Image), <cam>/camera_info (sensor_msgs/CameraInfo); publishes
<cam>/depth/image (32FC1 metres, NaN invalid) for metric models, <cam>/depth/relative_inverse (32FC1, unitless,
larger = nearer) for relative models, <cam>/depth/camera_info, <cam>/depth/confidence (32FC1 0..1),
<cam>/depth/colored (rgb8); and /diagnostics. Frames of several cameras that arrive within ``batch_window_s`` run
through the model in one batch. With temporal_consistency each camera's depth is stabilised over time by its own
stabiliser (core/runtime/depth_chain's StabilisedStream, kept in its CameraStream).
"""
from __future__ import annotations

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup

from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.runtime.batch_worker import NewestPerKeyBatchWorker
from monodepth_ros.core.runtime.depth_chain import StabilisedStream
from monodepth_ros.ros.common.diagnostics.logging_bridge import python_logger_for
from monodepth_ros.ros.common.shared_parameters import stabiliser_config_from
from monodepth_ros.ros.common.topics import DEPTH_TOPIC
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.common.inputs.camera_streams import CameraFrame, CameraStream, batches_by_size
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS, model_spec_from
from monodepth_ros.ros.runners.node_runner import run_node


class DepthNode(WorkerNode):
    """Runs the depth model on the newest image of each camera, off the subscription callbacks."""

    def __init__(self, **kwargs) -> None:
        super().__init__("depth_node", DEPTH_NODE_PARAMETERS, "depth estimation", **kwargs)

    def create_worker(self, process, on_error):
        """Newest frame per camera; the frames pending together (within ``batch_window_s``) form one batch."""
        return NewestPerKeyBatchWorker(process, on_error, key_of=lambda frame: frame.stream.camera,
                                       stream_count=len(self.params["cameras"]),
                                       window_s=lambda: self.params["batch_window_s"], name=self.get_name(),
                                       start=False)

    def configure(self) -> None:
        """Load the model, create each camera's outputs and subscribe (the lifecycle transition configure)."""
        self.estimator = DepthEstimator(model_spec_from(self.params), python_logger_for(self))
        self.get_logger().info(f"model {self.estimator.description} ({self.estimator.kind.value}) "
                               f"on {self.estimator.device}")
        if self.estimator.kind is DepthKind.RELATIVE_INVERSE:
            self.get_logger().warning("this model predicts relative inverse depth: publishing "
                                      "depth/relative_inverse; run lidar_fusion_node for metres")
        inputs = MutuallyExclusiveCallbackGroup()
        relative_inverse = self.estimator.kind is DepthKind.RELATIVE_INVERSE
        self.streams = [CameraStream(self, camera, DEPTH_TOPIC[self.estimator.kind], inputs,
                                     StabilisedStream(stabiliser_config_from(self.params),
                                                      relative_inverse=relative_inverse))
                        for camera in self.params["cameras"]]
        self.last_batch_size = 0

    def process(self, frames: list[CameraFrame]) -> None:
        """Estimate and publish depth for the newest frame of each camera that sent one (on the worker thread):
        frames of one size run through the model together."""
        tolerance_s = self.params["camera_info_tolerance_s"]
        decoded = [ready for ready in (frame.stream.decode(frame.image, tolerance_s) for frame in frames)
                   if ready is not None]
        depth_range_m = (self.params["min_depth_m"], self.params["max_depth_m"])
        large_is_red = self.estimator.kind is DepthKind.RELATIVE_INVERSE if self.params["publish_colored"] else None
        stabiliser_config = stabiliser_config_from(self.params)
        for batch in batches_by_size(decoded):
            predictions = self.estimator.predict_batch([frame.rgb for frame in batch],
                                                       [frame.intrinsics for frame in batch], depth_range_m)
            self.last_batch_size = len(batch)
            for frame, prediction in zip(batch, predictions):
                frame.stream.publish(frame, prediction.values, prediction.timings_ms, large_is_red, stabiliser_config)
                self.record_output(stamp_ns(frame.header))

    def diagnostic_values(self) -> dict[str, object]:
        values = {"model": self.estimator.description, "kind": self.estimator.kind.value,
                  "device": self.estimator.device}
        if len(self.streams) > 1 or self.streams[0].camera:
            values.update({"cameras": len(self.streams), "batch_size": self.last_batch_size})
        for stream in self.streams:
            values.update(stream.diagnostic_values(self.worker.dropped_by_key.get(stream.camera, 0)))
        return values


def main(args: list[str] | None = None) -> int:
    return run_node(DepthNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
