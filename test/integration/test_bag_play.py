"""monodepth-bag play over real DDS: a bag recorded from the sim arrives in order, with its stamps, at its rate."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from nav_msgs.msg import Odometry
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_helpers import spin_until
from sensor_msgs.msg import Image

from monodepth_ros.core.sources.bag_file import BagReader, header_stamp_ns

REPO_ROOT = Path(__file__).resolve().parents[2]
FRAMES = 6
RATE_HZ = 10.0


def test_played_messages_arrive_in_order_with_their_stamps_at_the_recorded_rate(tmp_path, test_nodes):
    bag = tmp_path / "sim"
    made = subprocess.run([sys.executable, "-m", "monodepth_ros.tools.bag.cli", "sim", str(bag), "--frames",
                           str(FRAMES), "--size", "160", "120", "--rate", str(RATE_HZ)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    with BagReader(bag) as reader:
        recorded = [header_stamp_ns(message.data) for message in reader.messages(["/robot/image_raw"])]
    node = test_nodes("bag_play_listener")
    arrivals: dict[str, list[tuple[int, float]]] = {"image": [], "odom": []}

    def listener(name):
        return lambda message: arrivals[name].append(
            (message.header.stamp.sec * 1_000_000_000 + message.header.stamp.nanosec, time.monotonic()))

    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    node.create_subscription(Image, "/robot/image_raw", listener("image"), reliable)
    node.create_subscription(Odometry, "/robot/odom", listener("odom"), reliable)
    player = subprocess.Popen([sys.executable, "-m", "monodepth_ros.tools.bag.cli", "play", str(bag),
                               "--wait-for-subscribers", "--topics", "/robot/image_raw", "/robot/odom"],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        spin_until(node, lambda: len(arrivals["image"]) == FRAMES and len(arrivals["odom"]) == FRAMES, 20.0)
        _, stderr = player.communicate(timeout=20)
    finally:
        player.kill()
    assert player.returncode == 0, stderr
    assert [stamp for stamp, _ in arrivals["image"]] == recorded
    assert [stamp for stamp, _ in arrivals["odom"]] == recorded
    spread_s = arrivals["image"][-1][1] - arrivals["image"][0][1]
    assert 0.8 * (FRAMES - 1) / RATE_HZ < spread_s < (FRAMES - 1) / RATE_HZ + 0.5
    assert f"played {2 * FRAMES} messages on 2 topics" in stderr
