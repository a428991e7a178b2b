"""Temporal consistency over real DDS: video_source_node feeding depth_node frame by frame, depth/confidence and
resets on a camera_info change."""
from __future__ import annotations

import numpy as np
import pytest
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, image_to_array

FRAMES = 16
DEPTH_NODE = "monodepth_ros.ros.nodes.depth.depth_node"
VIDEO_SOURCE = "monodepth_ros.ros.nodes.sources.video_source_node"
RELIABLE = qos(ReliabilityPolicy.RELIABLE, 50)


@pytest.fixture(scope="module")
def still():
    """The Motorcycle view at a third of its size, uint8 (H, W, 3) with even H and W, and its K."""
    rgb, _, k = load_middlebury_motorcycle()
    rgb = np.ascontiguousarray(rgb[:498:3, :738:3])
    return rgb, k / np.array([[3, 1, 3], [1, 3, 3], [1, 1, 1]])


def sim_clip(path) -> list[np.ndarray]:
    """FRAMES frames of the sim camera driving along its path at 10 fps, written to ``path``; returns the true
    depth of each frame, float32 (H, W) metres."""
    scene = SimScene(SimSceneConfig(image_width=320, image_height=240))
    truths = []
    with VideoFileWriter(path, 10.0, 320, 240, crf=12) as writer:
        for index in range(FRAMES):
            scene.set_time(index * 0.1)
            rgb, depth = scene.render_camera(scene.base_pose(index * 0.1))
            writer.write(rgb)
            truths.append(depth)
    return truths


def flicker(depths: list[np.ndarray], truths: list[np.ndarray]) -> float:
    """Mean over consecutive frames of the median |D(t+1) - D(t)| / D(t) over the pixels whose true depth changes
    by less than 1 % (the issue's flicker figure)."""
    values = []
    for a, b, true_a, true_b in zip(depths, depths[1:], truths, truths[1:]):
        with np.errstate(invalid="ignore"):
            steady = np.abs(true_b - true_a) / true_a < 0.01
        values.append(np.nanmedian((np.abs(b - a) / a)[steady]))
    return float(np.mean(values))


def test_video_source_into_depth_node_flickers_less_with_temporal_consistency(tmp_path, node_processes, test_nodes):
    clip = tmp_path / "drive.mp4"
    truths = sim_clip(clip)
    depths = {}
    for temporal in (True, False):
        namespace = f"/temporal_{str(temporal).lower()}"
        viewer = test_nodes(f"viewer_{str(temporal).lower()}")
        received: dict[int, np.ndarray] = {}
        viewer.create_subscription(Image, f"{namespace}/depth/image",
                                   lambda m: received.setdefault(stamp_ns(m.header), image_to_array(m).copy()),
                                   RELIABLE)
        depth_node = node_processes(DEPTH_NODE, namespace, {"temporal_consistency": temporal})
        assert spin_until(viewer, lambda: viewer.count_publishers(f"{namespace}/depth/image") > 0, 60.0), \
            depth_node.log()
        source = node_processes(VIDEO_SOURCE, namespace, {"source": str(clip), "playback": "consumed",
                                                          "fov_deg": 70.0}, {"consumed": "depth/image"})
        assert spin_until(viewer, lambda: len(received) >= FRAMES, 60.0), source.log() + depth_node.log()
        assert spin_until(viewer, lambda: f"end of drive.mp4: {FRAMES} frames" in source.log(), 10.0), source.log()
        depths[temporal] = [received[stamp] for stamp in sorted(received)]
    stabilised, per_frame = flicker(depths[True][2:], truths[2:]), flicker(depths[False][2:], truths[2:])
    assert stabilised < 0.8 * per_frame, (stabilised, per_frame)
    assert np.nanmedian(depths[True][-1] / depths[False][-1]) == pytest.approx(1.0, abs=0.1), \
        "stabilising keeps the depth near where the model puts it"


def test_confidence_has_the_depth_header_and_a_camera_info_change_resets_the_stabiliser(still, node_processes,
                                                                                         test_nodes):
    rgb, k = still
    node = node_processes(DEPTH_NODE, "/confident", {})
    viewer = test_nodes("confidence_viewer")
    depth_headers: dict[int, Header] = {}
    confidences: dict[int, tuple[Image, np.ndarray]] = {}
    viewer.create_subscription(Image, "/confident/depth/image",
                               lambda m: depth_headers.setdefault(stamp_ns(m.header), m.header), RELIABLE)
    viewer.create_subscription(Image, "/confident/depth/confidence",
                               lambda m: confidences.setdefault(stamp_ns(m.header), (m, image_to_array(m).copy())),
                               RELIABLE)
    image_pub = viewer.create_publisher(Image, "/confident/image", RELIABLE)
    info_pub = viewer.create_publisher(CameraInfo, "/confident/camera_info", RELIABLE)
    assert spin_until(viewer, lambda: image_pub.get_subscription_count() > 0, 60.0), node.log()
    current_k = [k]
    sent: list[int] = []

    def publish() -> None:
        header = Header(stamp=viewer.get_clock().now().to_msg(), frame_id="camera_optical_frame")
        info_pub.publish(camera_info_from_matrix(current_k[0], rgb.shape[1], rgb.shape[0], header))
        image_pub.publish(array_to_image(rgb, "rgb8", header))
        sent.append(stamp_ns(header))

    assert spin_until(viewer, lambda: len(confidences) >= 8, 30.0, every=publish, period_s=0.1), node.log()
    stamp = max(confidences)
    message, confidence = confidences[stamp]
    assert message.encoding == "32FC1" and confidence.shape == rgb.shape[:2]
    assert spin_until(viewer, lambda: stamp in depth_headers, 5.0)
    assert message.header == depth_headers[stamp], "depth/confidence carries the header of its depth image"
    assert 0.0 <= confidence.min() and confidence.max() <= 1.0
    assert confidence[confidence > 0].mean() > 0.75, "a still scene builds up confidence"
    changed_from = len(sent)
    current_k[0] = k * np.array([[1.2, 1, 1], [1, 1.2, 1], [1, 1, 1]])
    assert spin_until(viewer, lambda: any(s in confidences for s in sent[changed_from:]), 30.0, every=publish,
                      period_s=0.1), node.log()
    first_after = min(s for s in sent[changed_from:] if s in confidences)
    assert confidences[first_after][1].max() <= 0.5 + 1e-6, "after the reset every pixel is seen once"
    assert "temporal stabiliser reset: camera intrinsics changed" in node.log()
