"""Soak: the whole pipeline (monodepth-pipeline --sim, the demo's settings) for N minutes, printing per minute the
process's resident memory, the rate of each stage's output and the stamp-to-arrival latency of the costmap.

.venv/bin/python benchmarks/soak.py [--minutes 10] [--rate-hz 5]
Ends with the RSS growth from minute 2 to the last minute (%, target < 3) and the spread of rate and latency over
those minutes (max / min), and exits 1 when the pipeline died or a stage stopped.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

NAMESPACE = "/monodepth_soak"
STAGES = {"depth": "depth/image", "fused": "depth/fused", "points": "points", "costmap": "costmap"}
RSS_GROWTH_TARGET_PERCENT = 3.0


def rss_mib(pid: int) -> float:
    """Resident set size of process ``pid`` (MiB) from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate-hz", type=float, default=5.0, help="sim camera rate (the demo's: 5 Hz)")
    parser.add_argument("--minute-s", type=float, default=60.0, help="length of one report period (seconds)")
    arguments = parser.parse_args(argv)

    from monodepth_ros.ros.common.dds_profile import use_large_message_profile

    use_large_message_profile()
    import rclpy
    from nav_msgs.msg import OccupancyGrid
    from rclpy.qos import ReliabilityPolicy
    from sensor_msgs.msg import Image, PointCloud2

    from monodepth_ros.ros.common.qos import latched_output_qos, sensor_input_qos
    from monodepth_ros.ros.conversions.header import stamp_ns
    from monodepth_ros.testing.node_process import NodeProcess

    types = {"depth": Image, "fused": Image, "points": PointCloud2, "costmap": OccupancyGrid}
    log = Path(tempfile.mkdtemp(prefix="soak_")) / "pipeline.log"
    pipeline = NodeProcess("monodepth_ros.ros.runners.pipeline_runner", log, {"rate_hz": arguments.rate_hz},
                           arguments=("--sim", "--namespace", NAMESPACE))
    rclpy.init()
    node = rclpy.create_node("monodepth_soak")
    counts = {key: 0 for key in STAGES}
    latencies_ms: list[float] = []

    def received(key: str, message) -> None:
        counts[key] += 1
        if key == "costmap":
            latencies_ms.append((node.get_clock().now().nanoseconds - stamp_ns(message.header)) / 1e6)

    for key, topic in STAGES.items():
        qos = latched_output_qos() if key == "costmap" else sensor_input_qos(ReliabilityPolicy.RELIABLE, depth=5)
        node.create_subscription(types[key], f"{NAMESPACE}/{topic}", lambda message, key=key: received(key, message),
                                 qos)
    rows = []
    failed = ""
    try:
        started = time.monotonic()
        while counts["costmap"] == 0 and time.monotonic() - started < 180.0 and pipeline.alive():
            rclpy.spin_once(node, timeout_sec=0.1)
        if counts["costmap"] == 0:
            failed = "no costmap within 180 s"
        print("| minute | RSS MiB | depth Hz | fused Hz | points Hz | costmap Hz | costmap latency median ms | "
              "p95 ms |\n|---|---|---|---|---|---|---|---|", flush=True)
        minute = 0
        while not failed and minute < arguments.minutes:
            minute += 1
            for key in counts:
                counts[key] = 0
            latencies_ms.clear()
            end = time.monotonic() + arguments.minute_s
            while time.monotonic() < end and pipeline.alive():
                rclpy.spin_once(node, timeout_sec=0.1)
            if not pipeline.alive():
                failed = f"the pipeline exited in minute {minute}"
                break
            rates = {key: count / arguments.minute_s for key, count in counts.items()}
            ordered = sorted(latencies_ms) or [float("nan")]
            row = (minute, rss_mib(pipeline.process.pid), rates, statistics.median(ordered),
                   ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])
            rows.append(row)
            print(f"| {minute} | {row[1]:.1f} | " + " | ".join(f"{rates[key]:.2f}" for key in STAGES)
                  + f" | {row[3]:.0f} | {row[4]:.0f} |", flush=True)
            if min(rates.values()) == 0.0:
                failed = f"a stage stopped in minute {minute}: {rates}"
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        pipeline.stop()
    if failed:
        print(f"soak failed: {failed}; see {log}", file=sys.stderr)
        return 1
    steady = rows[1:] if len(rows) > 1 else rows
    growth = (steady[-1][1] - steady[0][1]) / steady[0][1] * 100.0
    costmap_rates = [row[2]["costmap"] for row in steady]
    medians = [row[3] for row in steady]
    print(f"RSS minute {steady[0][0]} -> {steady[-1][0]}: {steady[0][1]:.1f} -> {steady[-1][1]:.1f} MiB "
          f"({growth:+.2f} %, target < {RSS_GROWTH_TARGET_PERCENT} %); costmap rate {min(costmap_rates):.2f} .. "
          f"{max(costmap_rates):.2f} Hz; costmap latency median {min(medians):.0f} .. {max(medians):.0f} ms")
    return 0 if growth < RSS_GROWTH_TARGET_PERCENT else 1


if __name__ == "__main__":
    sys.exit(main())
