"""Many cameras, one model: depth_node serving 1, 2, 4 and 8 camera namespaces, over real DDS.

For each camera count N this process starts one depth_node process with ``cameras: [cam0 .. camN-1]`` and plays
a camera rig: every camera publishes rgb8 images + camera_info at ``--rate`` Hz (reliable), all N in the same
tick (a synchronised rig) or, with ``--spread``, spread evenly over the period. It subscribes to each camera's
depth/image and, for ``--duration`` seconds after a warm-up, measures the total output rate (throughput), each
camera's output rate and stamp-to-receive latency (system clock at both ends), the frames that never came back,
and the node's model batch size from /diagnostics. A second table times the depth core alone (no ROS): one
``predict_batch`` of N images against N ``predict`` calls. The exit code is 0 unless the node cannot be run.

The module keeps evaluated annotations: rclpy hands TimerInfo only to a timer callback whose parameter is
annotated with the class itself.
"""
import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rclpy
from bench_common import device_label, parse_size, test_frame
from bench_depth_node_rate import isolate_dds_traffic, node_parameters, spin_for, spin_until
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.timer import TimerInfo
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.testing.node_process import NodeProcess
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

REPO_ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/multicam_bench"
CAMERA_COUNTS = (1, 2, 4, 8)
NODE_START_TIMEOUT_S = 60.0
FIRST_OUTPUT_TIMEOUT_S = 60.0
DRAIN_S = 1.0


def camera_names(count: int) -> list[str]:
    return [f"cam{index}" for index in range(count)]


@dataclass
class CountResult:
    """What one camera count measured over the window."""

    cameras: int
    duration_s: float
    published: dict[str, list[int]]
    latencies_ms: dict[str, list[float]]
    batch_sizes: list[float] = field(default_factory=list)
    inference_ms: list[float] = field(default_factory=list)
    node_dropped: int | None = None
    """Frames the node's worker replaced by a newer one of the same camera during the window (diagnostics)."""

    @property
    def throughput_hz(self) -> float:
        return sum(len(values) for values in self.latencies_ms.values()) / self.duration_s

    @property
    def input_rate_hz(self) -> float:
        return sum(len(values) for values in self.published.values()) / self.duration_s

    def camera_rates_hz(self) -> list[float]:
        return [len(values) / self.duration_s for values in self.latencies_ms.values()]

    def pooled_latencies_ms(self) -> np.ndarray:
        return np.concatenate([np.asarray(values, dtype=np.float64) for values in self.latencies_ms.values()])

    def worst_camera_median_ms(self) -> float:
        medians = [np.median(values) for values in self.latencies_ms.values() if values]
        return float(max(medians)) if medians else float("nan")


class Rig:
    """N cameras publishing on one timer, and what comes back on their depth/image and on /diagnostics."""

    def __init__(self, node, cameras: list[str], rate_hz: float, spread: bool, width: int, height: int) -> None:
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.node = node
        self.cameras = cameras
        self.spread = spread
        self.period_s = 1.0 / rate_hz / (len(cameras) if spread else 1)
        rgb, k = test_frame(width, height)
        self.frames = {}
        self.image_publishers, self.info_publishers, self.depth_subscriptions = {}, {}, []
        self.published: dict[str, list[int]] = {camera: [] for camera in cameras}
        self.received_ns: dict[str, dict[int, int]] = {camera: {} for camera in cameras}
        self.diagnostics: list[tuple[int, dict[str, str]]] = []
        for camera in cameras:
            header = Header(frame_id=f"{camera}_optical_frame")
            self.frames[camera] = (array_to_image(rgb, "rgb8", header), camera_info_from_matrix(k, width, height,
                                                                                                 header))
            self.image_publishers[camera] = node.create_publisher(Image, f"{NAMESPACE}/{camera}/image", reliable)
            self.info_publishers[camera] = node.create_publisher(CameraInfo, f"{NAMESPACE}/{camera}/camera_info",
                                                                 reliable)
            self.depth_subscriptions.append(node.create_subscription(
                Image, f"{NAMESPACE}/{camera}/depth/image",
                lambda message, camera=camera: self.received_ns[camera].setdefault(stamp_ns(message.header),
                                                                                   self.now_ns()), reliable))
        self.diagnostics_subscription = node.create_subscription(DiagnosticArray, "/diagnostics",
                                                                 self.on_diagnostics, reliable)
        self.ticks = 0
        self.timer = None

    def now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def start(self) -> None:
        def publish(timer_info: TimerInfo) -> None:
            cameras = [self.cameras[self.ticks % len(self.cameras)]] if self.spread else self.cameras
            self.ticks += 1
            for camera in cameras:
                image, info = self.frames[camera]
                stamp = self.node.get_clock().now()
                image.header.stamp = info.header.stamp = stamp.to_msg()
                self.info_publishers[camera].publish(info)
                self.image_publishers[camera].publish(image)
                self.published[camera].append(stamp.nanoseconds)

        self.timer = self.node.create_timer(self.period_s, publish)

    def stop(self) -> None:
        if self.timer is not None:
            self.node.destroy_timer(self.timer)
            self.timer = None

    def on_diagnostics(self, array) -> None:
        for status in array.status:
            if status.hardware_id == f"{NAMESPACE}/depth_node":
                self.diagnostics.append((self.now_ns(), {item.key: item.value for item in status.values}))

    def connected(self) -> bool:
        return all(publisher.get_subscription_count() > 0 for publisher in self.image_publishers.values()) and \
            all(subscription.get_publisher_count() > 0 for subscription in self.depth_subscriptions)

    def destroy(self) -> None:
        self.stop()
        for entity in [*self.image_publishers.values(), *self.info_publishers.values()]:
            self.node.destroy_publisher(entity)
        for subscription in [*self.depth_subscriptions, self.diagnostics_subscription]:
            self.node.destroy_subscription(subscription)


def measure_count(executor, rig: Rig, node_process: NodeProcess, warmup_s: float, duration_s: float
                  ) -> CountResult | None:
    """Warm up until every camera has output, measure for ``duration_s``, then collect late outputs."""
    started_ns = rig.now_ns()
    rig.start()
    if not spin_until(executor, lambda: all(rig.received_ns.values()), FIRST_OUTPUT_TIMEOUT_S, node_process):
        rig.stop()
        return None
    spin_for(executor, max(0.0, warmup_s - (rig.now_ns() - started_ns) / 1e9))
    window_start_ns = rig.now_ns()
    spin_for(executor, duration_s)
    window_end_ns = rig.now_ns()
    spin_for(executor, DRAIN_S)
    rig.stop()
    published = {camera: [stamp for stamp in stamps if window_start_ns <= stamp < window_end_ns]
                 for camera, stamps in rig.published.items()}
    latencies = {camera: [(rig.received_ns[camera][stamp] - stamp) / 1e6 for stamp in stamps
                          if stamp in rig.received_ns[camera]] for camera, stamps in published.items()}
    diagnostics = [values for received_ns, values in rig.diagnostics
                   if window_start_ns <= received_ns < window_end_ns + DRAIN_S * 1e9]
    first = rig.cameras[0]
    counts = [[int(values[f"{camera}/inputs_dropped"]) for camera in rig.cameras] for values in diagnostics
              if all(f"{camera}/inputs_dropped" in values for camera in rig.cameras)]
    node_dropped = sum(counts[-1]) - sum(counts[0]) if counts else None
    return CountResult(len(rig.cameras), (window_end_ns - window_start_ns) / 1e9, published, latencies,
                       [float(values["batch_size"]) for values in diagnostics if "batch_size" in values],
                       [float(values[f"{first}/inference_ms"]) for values in diagnostics
                        if f"{first}/inference_ms" in values], node_dropped)


def node_table(results: list[CountResult]) -> str:
    lines = ["| cameras | input (frames/s) | throughput (frames/s) | per-camera rate (Hz), min / median | "
             "latency median (ms) | latency p90 (ms) | worst camera median (ms) | not received | "
             "of them dropped by the node | batch size, median (max) | inference ms, median |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        latencies = result.pooled_latencies_ms()
        rates = result.camera_rates_hz()
        published = sum(len(values) for values in result.published.values())
        lost = published - latencies.size
        batch = (f"{np.median(result.batch_sizes):.0f} ({max(result.batch_sizes):.0f})"
                 if result.batch_sizes else "n/a")
        inference = f"{np.median(result.inference_ms):.1f}" if result.inference_ms else "n/a"
        median, p90 = ((np.median(latencies), np.percentile(latencies, 90)) if latencies.size
                       else (float("nan"), float("nan")))
        lines.append(f"| {result.cameras} | {result.input_rate_hz:.1f} | {result.throughput_hz:.1f} | "
                     f"{min(rates):.1f} / {np.median(rates):.1f} | {median:.1f} | {p90:.1f} | "
                     f"{result.worst_camera_median_ms():.1f} | {lost} of {published} | "
                     f"{'n/a' if result.node_dropped is None else result.node_dropped} | {batch} | {inference} |")
    return "\n".join(lines)


def core_table(estimator: DepthEstimator, counts: tuple[int, ...], width: int, height: int, runs: int) -> str:
    """Median ms of one predict_batch of N images against N predict calls (the depth core alone)."""
    rgb, _ = test_frame(width, height)
    rng = np.random.default_rng(0)
    lines = ["| images | predict_batch (ms) | N x predict (ms) | batched per image (ms) | speed-up |",
             "|---:|---:|---:|---:|---:|"]
    for count in counts:
        images = np.stack([np.roll(rgb, int(rng.integers(0, width)), axis=1) for _ in range(count)])
        batched, single = [], []
        for run in range(runs + 1):
            started = time.perf_counter()
            estimator.predict_batch(images)
            middle = time.perf_counter()
            for image in images:
                estimator.predict(image)
            ended = time.perf_counter()
            if run:  # the first run warms up
                batched.append((middle - started) * 1e3)
                single.append((ended - middle) * 1e3)
        batch_ms, single_ms = float(np.median(batched)), float(np.median(single))
        lines.append(f"| {count} | {batch_ms:.1f} | {single_ms:.1f} | {batch_ms / count:.1f} | "
                     f"{single_ms / batch_ms:.2f}x |")
    return "\n".join(lines)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(parser)
    parser.add_argument("--cameras", nargs="+", type=int, default=list(CAMERA_COUNTS),
                        help="camera counts, measured one after the other (default: 1 2 4 8)")
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="input size WIDTHxHEIGHT (640x480)")
    parser.add_argument("--rate", type=float, default=15.0, help="input rate per camera in Hz (default: 15)")
    parser.add_argument("--spread", action="store_true",
                        help="spread the cameras' frames evenly over the period instead of one synchronised tick")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per count (default: 8)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of input before measuring (default: 3)")
    parser.add_argument("--core-runs", type=int, default=10, help="runs per count of the core table (default: 10)")
    parser.add_argument("--node-parameter", action="append", default=[], metavar="NAME:=VALUE",
                        help="extra depth_node parameter, e.g. batch_window_s:=0.02 (repeatable)")
    arguments = parser.parse_args()
    if any(count < 1 for count in arguments.cameras) or arguments.rate <= 0 or arguments.duration <= 0:
        parser.error("camera counts, --rate and --duration must be positive")
    return arguments


def run_node_counts(arguments: argparse.Namespace, parameters: dict[str, object]) -> list[CountResult] | str:
    """One node process per camera count; the results, or why they could not be measured."""
    rclpy.init()
    node = rclpy.create_node("multicam_bench")
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="multicam_bench_") as log_folder:
            for count in arguments.cameras:
                cameras = camera_names(count)
                node_process = NodeProcess("monodepth_ros.ros.nodes.depth.depth_node",
                                           Path(log_folder) / f"depth_node_{count}.log",
                                           {**parameters, "cameras": cameras}, {"__ns": NAMESPACE}, cwd=REPO_ROOT)
                rig = Rig(node, cameras, arguments.rate, arguments.spread, *arguments.size)
                try:
                    if not spin_until(executor, rig.connected, NODE_START_TIMEOUT_S, node_process):
                        return f"depth_node with {count} cameras did not connect; its log:\n{node_process.log(30)}"
                    result = measure_count(executor, rig, node_process, arguments.warmup, arguments.duration)
                    if result is None:
                        return f"no depth output with {count} cameras; depth_node log:\n{node_process.log(30)}"
                    results.append(result)
                finally:
                    rig.destroy()
                    node_process.stop()
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return results


def main() -> int:
    arguments = parse_arguments()
    isolate_dds_traffic()
    parameters = node_parameters(arguments)
    results = run_node_counts(arguments, parameters)
    if isinstance(results, str):
        print(results, file=sys.stderr)
        return 1
    estimator = DepthEstimator(model_spec_from_arguments(arguments))
    width, height = arguments.size
    timing = "spread evenly over the period" if arguments.spread else "all cameras in one tick"
    print(f"### depth_node with N cameras: {estimator.description} on "
          f"{device_label(estimator.device, arguments.fp16)}, {os.cpu_count()} CPUs; node parameters: "
          f"{' '.join(f'{k}:={v}' for k, v in parameters.items()) or 'defaults'}")
    print(f"{width}x{height} rgb8 + camera_info per camera at {arguments.rate:g} Hz ({timing}, reliable), "
          f"depth/image out (reliable); {arguments.duration:g} s per count after {arguments.warmup:g} s warm-up; "
          "latency = receive time - header stamp, pooled over the cameras\n")
    print(node_table(results))
    print(f"\nDepth core alone (no ROS), {width}x{height}, median of {arguments.core_runs} runs:\n")
    print(core_table(estimator, tuple(arguments.cameras), width, height, arguments.core_runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
