"""monodepth-bag on bags recorded from the synthetic scene: outputs, stamps, accuracy against the scene's ground
truth, the costmap, topic discovery and its errors, in mcap and sqlite3 (the README's "Bags" commands)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rclpy.time import Time
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from monodepth_ros.core.costmap.cost_values import OCCUPANCY_LETHAL
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.sources.bag_file import BagReader, BagWriter, header_stamp_ns
from monodepth_ros.ros.bags.messages import from_cdr, to_cdr
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import image_to_array

REPO_ROOT = Path(__file__).resolve().parents[2]
FRAMES = 8
SIZE = ("320", "240")
OUTPUTS = {"/robot/depth/image": "sensor_msgs/msg/Image", "/robot/depth/camera_info": "sensor_msgs/msg/CameraInfo",
           "/robot/depth/fused": "sensor_msgs/msg/Image", "/robot/points": "sensor_msgs/msg/PointCloud2",
           "/robot/costmap": "nav_msgs/msg/OccupancyGrid"}
FUSED_ABS_REL_BOUND = 0.10
"""FastDepth (trained on NYU indoor rooms) is off by about 40 % on the synthetic scene (abs_rel 0.41 measured on 20
frames); fused with the 16-beam LiDAR (2 cm noise) it measured 0.041. 0.10 leaves room for other seeds and frame
counts yet fails when the LiDAR is not used, is misplaced (wrong extrinsics) or paired with the wrong frames."""


def monodepth_bag(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monodepth_ros.tools.bag.cli", *arguments], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def ok(*arguments: str) -> subprocess.CompletedProcess:
    result = monodepth_bag(*arguments)
    assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    # the error is the last line; before it may stand only the line naming the chosen topics
    assert lines[-1].startswith("error: ") and len(lines) <= 2, result.stderr
    assert len(lines) == 1 or lines[0].startswith("image "), result.stderr
    return lines[-1]


def read_topics(path: Path, topics) -> dict[str, list]:
    """Messages per topic (rclpy), in log-time order."""
    with BagReader(path) as reader:
        found = {topic: [] for topic in topics}
        for message in reader.messages(topics):
            found[message.topic].append(from_cdr(message.data, message.msgtype))
        return found


def input_stamps(path: Path, topic: str) -> list[int]:
    with BagReader(path) as reader:
        return [header_stamp_ns(message.data) for message in reader.messages([topic])]


def stamp(message) -> int:
    return message.header.stamp.sec * 1_000_000_000 + message.header.stamp.nanosec


@pytest.fixture(scope="module")
def ground_truth_bag(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bags") / "sim_gt"
    ok("sim", str(path), "--frames", str(FRAMES), "--size", *SIZE, "--ground-truth")
    return path


def test_the_pipeline_output_is_under_the_namespace_with_the_input_stamps_and_accurate(ground_truth_bag, tmp_path):
    out = tmp_path / "out"
    result = ok(str(ground_truth_bag), "--out", str(out), "--image-topic", "/robot/image_raw", "--no-progress")
    assert f"{FRAMES} of {FRAMES} frames" in result.stdout
    assert "lidar_pose_in_camera from /tf_static" in result.stderr
    with BagReader(out) as reader:
        assert reader.topics == OUTPUTS
    outputs = read_topics(out, OUTPUTS)
    expected_stamps = input_stamps(ground_truth_bag, "/robot/image_raw")
    for topic in ("/robot/depth/image", "/robot/depth/camera_info", "/robot/depth/fused", "/robot/points"):
        assert [stamp(message) for message in outputs[topic]] == expected_stamps, topic
        assert {message.header.frame_id for message in outputs[topic]} == {"camera_optical_frame"}
    truth = read_topics(ground_truth_bag, ["/robot/depth/ground_truth"])["/robot/depth/ground_truth"]
    gt = np.stack([image_to_array(message) for message in truth])
    fused = np.stack([image_to_array(message) for message in outputs["/robot/depth/fused"]])
    raw = np.stack([image_to_array(message) for message in outputs["/robot/depth/image"]])
    assert depth_metrics(fused, gt)["abs_rel"] < FUSED_ABS_REL_BOUND
    assert depth_metrics(fused, gt)["abs_rel"] < 0.5 * depth_metrics(raw, gt)["abs_rel"]
    costmaps = outputs["/robot/costmap"]
    # at most costmap_node's 5 Hz in stamp time over 0.7 s of 10 Hz frames, plus the newest at the end
    assert [stamp(message) for message in costmaps] == [expected_stamps[i] for i in (0, 2, 4, 6, 7)]
    final = costmaps[-1]
    assert final.header.frame_id == "base_link"
    cells = np.asarray(final.data)
    assert np.count_nonzero(cells == OCCUPANCY_LETHAL) > 20 and np.count_nonzero(cells == 0) > 200


def test_several_image_topics_need_the_option_and_named_topics_must_exist(ground_truth_bag, tmp_path):
    ambiguous = one_line_error(monodepth_bag(str(ground_truth_bag), "--out", str(tmp_path / "out")))
    assert "2 sensor_msgs/msg/Image topics (/robot/depth/ground_truth, /robot/image_raw)" in ambiguous
    assert "--image-topic" in ambiguous
    unknown = one_line_error(monodepth_bag(str(ground_truth_bag), "--out", str(tmp_path / "out"),
                                           "--image-topic", "/robot/image_raw", "--lidar-topic", "/velodyne"))
    assert "no topic /velodyne (--lidar-topic)" in unknown
    assert not (tmp_path / "out").exists()


def test_a_sqlite3_bag_without_topic_options_and_bad_bags(tmp_path):
    bag = tmp_path / "sim_db3"
    ok("sim", str(bag), "--frames", "3", "--size", *SIZE, "--storage", "sqlite3")
    assert list(bag.glob("*.db3"))
    out = tmp_path / "out"
    result = ok(str(bag), "--out", str(out), "--storage", "sqlite3", "--no-progress")
    assert ("image /robot/image_raw, camera_info /robot/camera_info, LiDAR /robot/points_lidar, "
            "odometry /robot/odom") in result.stderr
    assert list(out.glob("*.db3"))
    fused = read_topics(out, ["/robot/depth/fused"])["/robot/depth/fused"]
    assert [stamp(message) for message in fused] == input_stamps(bag, "/robot/image_raw")
    assert "exists already" in one_line_error(monodepth_bag(str(bag), "--out", str(out)))
    assert "no bag at" in one_line_error(monodepth_bag(str(tmp_path / "missing"), "--out", str(tmp_path / "o")))
    database = next(bag.glob("*.db3"))
    corrupt = tmp_path / "corrupt.db3"
    corrupt.write_bytes(database.read_bytes()[:4096])
    assert "cannot read bag" in one_line_error(monodepth_bag(str(corrupt), "--out", str(tmp_path / "o2")))


def test_frames_the_nodes_would_drop_are_skipped_and_named(tmp_path):
    bag = tmp_path / "yuv"
    with BagWriter(bag) as writer:
        writer.add_topic("/cam/image_raw", "sensor_msgs/msg/Image")
        writer.add_topic("/cam/camera_info", "sensor_msgs/msg/CameraInfo")
        for index in range(2):
            header = Header(stamp=Time(nanoseconds=(index + 1) * 100_000_000).to_msg(), frame_id="camera")
            writer.write("/cam/camera_info", index * 2,
                         to_cdr(camera_info_from_matrix(np.diag([50.0, 50.0, 1.0]), 8, 8, header)))
            writer.write("/cam/image_raw", index * 2 + 1, to_cdr(Image(header=header, height=8, width=8,
                                                                       encoding="yuv422", step=16, data=bytes(128))))
    error = one_line_error(monodepth_bag(str(bag), "--out", str(tmp_path / "out"), "--no-progress"))
    assert "none of the 2 images could be processed (2 x unsupported image encoding 'yuv422'" in error
