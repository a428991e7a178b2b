"""Run depth_node on the Middlebury motorcycle through real ROS 2 messages and write a report.

.venv/bin/python -m monodepth_ros.tools.depth_demo --out out
Writes out/depth_demo.png (input | depth with a scale bar in metres) and out/depth_demo.json (accuracy
against the ground truth, latency).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--frames", type=int, default=30, help="frames to send (at 10 Hz)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from monodepth_ros.ros.dds_profile import use_large_message_profile

    use_large_message_profile()
    import rclpy
    from sensor_msgs.msg import CameraInfo, Image
    from std_msgs.msg import Header

    from monodepth_ros.core.colorize import colorize_depth, side_by_side, with_scale_bar
    from monodepth_ros.core.datasets import load_middlebury_motorcycle
    from monodepth_ros.core.metrics import depth_metrics
    from monodepth_ros.ros.conversions import array_to_image, depth_image_to_metres
    from monodepth_ros.ros.qos import stream_output_qos

    rgb, ground_truth, k = load_middlebury_motorcycle()
    namespace = "/monodepth_demo"
    log_path = args.out / "depth_node.log"
    with open(log_path, "w") as log:
        node_process = subprocess.Popen(
            [sys.executable, "-m", "monodepth_ros.ros.depth_node", "--ros-args", "-r", f"__ns:={namespace}"],
            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    rclpy.init()
    node = rclpy.create_node("depth_demo_camera", namespace=namespace)
    received: list[tuple[Image, float]] = []
    node.create_subscription(Image, "depth/image", lambda m: received.append((m, time.time())),
                             stream_output_qos(5))
    image_pub = node.create_publisher(Image, "image", stream_output_qos())
    info_pub = node.create_publisher(CameraInfo, "camera_info", stream_output_qos())
    header = Header(frame_id="camera_optical_frame")
    image = array_to_image(rgb, "rgb8", header)
    info = CameraInfo(header=header, width=rgb.shape[1], height=rgb.shape[0], k=k.ravel().tolist())
    try:
        deadline = time.monotonic() + 60.0
        while image_pub.get_subscription_count() == 0 and time.monotonic() < deadline:
            rclpy.spin_once(node, timeout_sec=0.1)
        sent = 0
        while sent < args.frames and time.monotonic() < deadline:
            stamp = node.get_clock().now().to_msg()
            image.header.stamp = info.header.stamp = stamp
            info_pub.publish(info)
            image_pub.publish(image)
            sent += 1
            end = time.monotonic() + 0.1
            while time.monotonic() < end:
                rclpy.spin_once(node, timeout_sec=0.02)
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            rclpy.spin_once(node, timeout_sec=0.05)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
        node_process.terminate()
        node_process.wait(10)
    if not received:
        print(f"no depth received; see {log_path}", file=sys.stderr)
        return 1
    latencies = [(arrival - (m.header.stamp.sec + m.header.stamp.nanosec * 1e-9)) * 1e3 for m, arrival in received]
    depth = depth_image_to_metres(received[-1][0])
    metrics = depth_metrics(depth, ground_truth)
    colored, (low, high) = colorize_depth(depth)
    picture = side_by_side(rgb, with_scale_bar(colored, low, high))
    cv2.imwrite(str(args.out / "depth_demo.png"), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
    report = {"frames_sent": sent, "frames_received": len(received), **metrics,
              "latency_ms_median": statistics.median(latencies),
              "depth_range_m": [float(np.nanmin(depth)), float(np.nanmax(depth))]}
    (args.out / "depth_demo.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
