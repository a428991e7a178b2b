"""End-to-end rate and latency of depth_node running in its own process, over real DDS.

This process plays the camera: it publishes rgb8 images and camera_info at ``--rate`` Hz (reliable, default DDS
settings), subscribes to depth/image (reliable) and, for ``--duration`` seconds after a warm-up, measures the
output rate, the stamp-to-receive latency (both ends use the system clock) and the frames that never came back.
The node's own per-stage timings are read from /diagnostics. Targets are checked at 640x480; the exit code is 0
whatever the result, unless the node cannot be run.

The module keeps evaluated annotations: rclpy hands TimerInfo only to a timer callback whose parameter is
annotated with the class itself.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import rclpy
from bench_common import device_label, parse_size, percentile_cell, test_frame
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.timer import TimerInfo
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.testing.node_process import NodeProcess
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

REPO_ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "/bench"
TARGET_SIZE = (640, 480)
TARGET_RATE_HZ = 20.0
TARGET_MEDIAN_LATENCY_MS = 80.0
NODE_START_TIMEOUT_S = 60.0
FIRST_OUTPUT_TIMEOUT_S = 60.0
WARMUP_FRAMES = 5
DRAIN_S = 1.0
NODE_STAGES = ("decode", "preprocess", "inference", "postprocess", "stabilise", "publish")


def isolate_dds_traffic() -> None:
    """Keep discovery on this machine, in a random domain unless ROS_DOMAIN_ID is set (the node inherits both)."""
    os.environ.setdefault("ROS_DOMAIN_ID", str(random.randint(1, 100)))
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"


def node_parameters(arguments: argparse.Namespace) -> dict[str, object]:
    """The model options that differ from depth_node's defaults, then the --node-parameter ones."""
    defaults = ModelSpec()
    chosen = asdict(model_spec_from_arguments(arguments))
    parameters = {name: value for name, value in chosen.items() if value != getattr(defaults, name)}
    parameters.update(dict(text.split(":=", 1) for text in arguments.node_parameter))
    return parameters


@dataclass
class SizeResult:
    """What one input size measured over the window."""

    width: int
    height: int
    duration_s: float
    published_stamps: list[int]
    publish_lateness_ms: list[float]
    latencies_ms: list[float]
    node_stage_ms: dict[str, list[float]] = field(default_factory=dict)
    node_frames_dropped: int | None = None

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def input_rate_hz(self) -> float:
        return len(self.published_stamps) / self.duration_s

    @property
    def output_rate_hz(self) -> float:
        return len(self.latencies_ms) / self.duration_s

    @property
    def dropped(self) -> int:
        return len(self.published_stamps) - len(self.latencies_ms)

    @property
    def median_latency_ms(self) -> float:
        return float(np.median(self.latencies_ms)) if self.latencies_ms else float("nan")


class Camera:
    """Publishes one frame per timer tick and records what comes back on depth/image and /diagnostics."""

    def __init__(self, node, rate_hz: float) -> None:
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        self.node = node
        self.period_s = 1.0 / rate_hz
        self.image_publisher = node.create_publisher(Image, f"{NAMESPACE}/image", reliable)
        self.info_publisher = node.create_publisher(CameraInfo, f"{NAMESPACE}/camera_info", reliable)
        self.depth_subscription = node.create_subscription(Image, f"{NAMESPACE}/depth/image", self.on_depth,
                                                           reliable)
        node.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, reliable)
        self.timer = None
        self.published_stamps: list[int] = []
        self.publish_lateness_ns: dict[int, int] = {}
        self.receive_times_ns: dict[int, int] = {}
        self.diagnostics: list[tuple[int, dict[str, str]]] = []

    def now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def start(self, image, info) -> None:
        """Publish ``image`` and ``info``, newly stamped, every period from now on."""
        def publish(timer_info: TimerInfo) -> None:
            stamp = self.node.get_clock().now()
            image.header.stamp = info.header.stamp = stamp.to_msg()
            self.info_publisher.publish(info)
            self.image_publisher.publish(image)
            self.published_stamps.append(stamp.nanoseconds)
            self.publish_lateness_ns[stamp.nanoseconds] = stamp.nanoseconds - timer_info.expected_call_time.nanoseconds

        self.stop()
        self.timer = self.node.create_timer(self.period_s, publish)

    def stop(self) -> None:
        if self.timer is not None:
            self.node.destroy_timer(self.timer)
            self.timer = None

    def on_depth(self, message) -> None:
        self.receive_times_ns[stamp_ns(message.header)] = self.now_ns()

    def on_diagnostics(self, array) -> None:
        for status in array.status:
            if status.hardware_id == f"{NAMESPACE}/depth_node":
                self.diagnostics.append((self.now_ns(), {item.key: item.value for item in status.values}))

    def connected(self) -> bool:
        return (self.image_publisher.get_subscription_count() > 0
                and self.depth_subscription.get_publisher_count() > 0)


def spin_until(executor, condition, timeout_s: float, node_process: NodeProcess) -> bool:
    """Spin until ``condition()`` holds, the timeout passes or the node process exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and node_process.alive():
        if condition():
            return True
        executor.spin_once(timeout_sec=0.01)
    return condition()


def spin_for(executor, duration_s: float) -> None:
    deadline = time.monotonic() + duration_s
    while time.monotonic() < deadline:
        executor.spin_once(timeout_sec=min(0.01, max(0.0, deadline - time.monotonic())))


def measure_size(executor, camera: Camera, node_process: NodeProcess, width: int, height: int,
                 warmup_s: float, duration_s: float) -> SizeResult | None:
    """Feed ``width`` x ``height`` frames: warm up, measure for ``duration_s``, then collect late outputs."""
    rgb, k = test_frame(width, height)
    header = Header(frame_id="camera_optical_frame")
    image = array_to_image(rgb, "rgb8", header)
    info = camera_info_from_matrix(k, width, height, header)
    started_ns = camera.now_ns()
    camera.start(image, info)

    def warmed_up() -> bool:
        return sum(stamp >= started_ns for stamp in camera.receive_times_ns) >= WARMUP_FRAMES

    if not spin_until(executor, warmed_up, FIRST_OUTPUT_TIMEOUT_S, node_process):
        camera.stop()
        return None
    spin_for(executor, max(0.0, warmup_s - (camera.now_ns() - started_ns) / 1e9))
    window_start_ns = camera.now_ns()
    spin_for(executor, duration_s)
    window_end_ns = camera.now_ns()
    spin_for(executor, DRAIN_S)
    camera.stop()
    stamps = [stamp for stamp in camera.published_stamps if window_start_ns <= stamp < window_end_ns]
    latencies = [(camera.receive_times_ns[stamp] - stamp) / 1e6 for stamp in stamps
                 if stamp in camera.receive_times_ns]
    diagnostics = [values for received_ns, values in camera.diagnostics
                   if window_start_ns <= received_ns < window_end_ns + DRAIN_S * 1e9]
    result = SizeResult(width, height, (window_end_ns - window_start_ns) / 1e9, stamps,
                        [camera.publish_lateness_ns[stamp] / 1e6 for stamp in stamps], latencies)
    result.node_stage_ms = {stage: [float(values[f"{stage}_ms"]) for values in diagnostics
                                    if f"{stage}_ms" in values] for stage in NODE_STAGES}
    dropped_counts = [int(values["inputs_dropped"]) for values in diagnostics if "inputs_dropped" in values]
    if dropped_counts:
        result.node_frames_dropped = dropped_counts[-1] - dropped_counts[0]
    return result


def rate_table(results: list[SizeResult]) -> str:
    lines = ["| input | input rate (Hz) | output rate (Hz) | latency median (ms) | latency p90 (ms) | published | "
             "received | dropped | publish lateness ms, median (p90) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        p90 = np.percentile(result.latencies_ms, 90) if result.latencies_ms else float("nan")
        lines.append(f"| {result.label} | {result.input_rate_hz:.1f} | {result.output_rate_hz:.1f} | "
                     f"{result.median_latency_ms:.1f} | {p90:.1f} | {len(result.published_stamps)} | "
                     f"{len(result.latencies_ms)} | {result.dropped} | "
                     f"{percentile_cell(result.publish_lateness_ms)} |")
    return "\n".join(lines)


def node_stage_table(results: list[SizeResult]) -> str:
    lines = ["| input | " + " | ".join(NODE_STAGES) + " | frames dropped by the node |",
             "|---|" + "---:|" * (len(NODE_STAGES) + 1)]
    for result in results:
        dropped = "n/a" if result.node_frames_dropped is None else str(result.node_frames_dropped)
        lines.append(f"| {result.label} | "
                     + " | ".join(percentile_cell(result.node_stage_ms[stage]) for stage in NODE_STAGES)
                     + f" | {dropped} |")
    return "\n".join(lines)


def target_report(results: list[SizeResult]) -> str:
    at_target_size = [result for result in results if (result.width, result.height) == TARGET_SIZE]
    if not at_target_size:
        return f"Targets apply to {TARGET_SIZE[0]}x{TARGET_SIZE[1]}, which was not measured."
    result = at_target_size[0]
    checks = [(f"output rate >= {TARGET_RATE_HZ:.0f} Hz", f"{result.output_rate_hz:.1f} Hz",
               result.output_rate_hz >= TARGET_RATE_HZ),
              (f"median latency <= {TARGET_MEDIAN_LATENCY_MS:.0f} ms", f"{result.median_latency_ms:.1f} ms",
               result.median_latency_ms <= TARGET_MEDIAN_LATENCY_MS)]
    lines = [f"| target ({result.label}) | measured | result |", "|---|---:|---|"]
    lines += [f"| {target} | {measured} | {'PASS' if passed else 'FAIL'} |" for target, measured, passed in checks]
    return "\n".join(lines)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(parser)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[TARGET_SIZE],
                        help="input sizes WIDTHxHEIGHT, measured one after the other (default: 640x480)")
    parser.add_argument("--rate", type=float, default=30.0, help="input rate in Hz (default: 30)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per size (default: 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of input before measuring (default: 3)")
    parser.add_argument("--node-parameter", action="append", default=[], metavar="NAME:=VALUE",
                        help="extra depth_node parameter, e.g. camera_info_tolerance_s:=0.5 (repeatable)")
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    isolate_dds_traffic()
    rclpy.init()
    node = rclpy.create_node("depth_node_rate_bench")
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    camera = Camera(node, arguments.rate)
    with tempfile.TemporaryDirectory(prefix="depth_node_bench_") as log_folder:
        parameters = node_parameters(arguments)
        node_process = NodeProcess("monodepth_ros.ros.nodes.depth.depth_node", Path(log_folder) / "depth_node.log",
                                   parameters, {"__ns": NAMESPACE}, cwd=REPO_ROOT)
        try:
            if not spin_until(executor, camera.connected, NODE_START_TIMEOUT_S, node_process):
                print(f"depth_node did not connect within {NODE_START_TIMEOUT_S:.0f} s; its log:\n"
                      f"{node_process.log(30)}", file=sys.stderr)
                return 1
            results = []
            for width, height in arguments.sizes:
                result = measure_size(executor, camera, node_process, width, height, arguments.warmup,
                                      arguments.duration)
                if result is None:
                    print(f"no depth output for {width}x{height}; depth_node log:\n{node_process.log(30)}",
                          file=sys.stderr)
                    return 1
                results.append(result)
            device = camera.diagnostics[-1][1].get("device", "unknown") if camera.diagnostics else "unknown"
        finally:
            node_process.stop()
            node.destroy_node()
            rclpy.try_shutdown()
    print(f"### depth_node end to end: {arguments.backend} on {device_label(device, arguments.fp16)}, "
          f"{os.cpu_count()} CPUs; node parameters: {' '.join(parameters) or 'defaults'}")
    print(f"rgb8 + camera_info in at {arguments.rate:.0f} Hz (reliable), depth/image out (reliable); "
          f"{arguments.duration:.0f} s per size after {arguments.warmup:.0f} s warm-up; latency = receive time "
          "- header stamp\n")
    print(rate_table(results))
    print("\nNode per-stage timings from /diagnostics, ms, median (p90) of the once-per-second samples:\n")
    print(node_stage_table(results))
    print()
    print(target_report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
