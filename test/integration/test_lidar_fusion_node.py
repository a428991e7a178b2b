"""lidar_fusion_node in its own process: scale correction, relative models, and garbage LiDAR."""
from __future__ import annotations

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import apply, invert, make_transform, pose7_from_transform, rpy_to_matrix
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres
from monodepth_ros.ros.conversions.pointcloud2 import array_to_pointcloud2, xyz_to_pointcloud2

WIDTH, HEIGHT = 320, 240
K = np.array([[250.0, 0.0, 160.0], [0.0, 250.0, 120.0], [0.0, 0.0, 1.0]])
CAMERA_FROM_LIDAR = make_transform(rpy_to_matrix(0.02, -0.03, 0.05), [0.05, -0.2, -0.1])
RELIABLE = ReliabilityPolicy.RELIABLE


def ground_truth_depth() -> np.ndarray:
    """A floor-like ramp (2 m at the top to 6 m at the bottom) with a box at 1.5 m in the middle."""
    rows = np.linspace(6.0, 2.0, HEIGHT, dtype=np.float32)[:, None]
    depth = np.repeat(rows, WIDTH, axis=1)
    depth[80:160, 120:200] = 1.5
    return depth


def lidar_points(depth: np.ndarray, beams: int = 16) -> np.ndarray:
    """Back-project beam rows of the ground truth into the LiDAR frame (N, 3)."""
    rows = np.linspace(0.1 * HEIGHT, 0.9 * HEIGHT, beams).astype(int)
    v, u = np.meshgrid(rows, np.arange(0, WIDTH, 2), indexing="ij")
    z = depth[v, u]
    xyz_camera = np.stack([(u - K[0, 2]) * z / K[0, 0], (v - K[1, 2]) * z / K[1, 1], z], axis=-1).reshape(-1, 3)
    return apply(invert(CAMERA_FROM_LIDAR), xyz_camera)


class FusionBench:
    def __init__(self, node) -> None:
        self.node = node
        self.depth_pub = self.node.create_publisher(Image, "/robot/depth/image", qos(RELIABLE))
        self.relative_pub = self.node.create_publisher(Image, "/robot/depth/relative_inverse", qos(RELIABLE))
        self.info_pub = self.node.create_publisher(CameraInfo, "/robot/depth/camera_info", qos(RELIABLE))
        self.cloud_pub = self.node.create_publisher(PointCloud2, "/robot/points_lidar", qos(RELIABLE))
        self.fused: list[Image] = []
        self.diagnostics: list[DiagnosticArray] = []
        self.node.create_subscription(Image, "/robot/depth/fused", self.fused.append, qos(RELIABLE))
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self.diagnostics.append, qos(RELIABLE))

    def publish(self, depth: np.ndarray, cloud: PointCloud2 | None, relative: bool = False) -> None:
        header = Header(frame_id="camera_optical_frame", stamp=self.node.get_clock().now().to_msg())
        self.info_pub.publish(camera_info_from_matrix(K, WIDTH, HEIGHT, header))
        if cloud is not None:
            cloud.header.stamp = header.stamp
            self.cloud_pub.publish(cloud)
        (self.relative_pub if relative else self.depth_pub).publish(array_to_image(depth, "32FC1", header))

    def fuse_until(self, count: int, depth, cloud, relative=False, timeout_s=30.0) -> bool:
        target = len(self.fused) + count
        return spin_until(self.node, lambda: len(self.fused) >= target, timeout_s,
                          every=lambda: self.publish(depth, cloud, relative), period_s=0.1)

    def last_fusion_diagnostics(self) -> tuple[str, dict[str, str]]:
        """Message and values of the newest lidar_fusion_node status that reports a fusion result."""
        for array in reversed(self.diagnostics):
            if array.status and "lidar_fusion_node" in array.status[0].name:
                values = {item.key: item.value for item in array.status[0].values}
                if "status" in values:
                    return array.status[0].message, values
        return "", {}

    def last_status(self) -> str:
        return self.last_fusion_diagnostics()[1].get("status", "")


@pytest.fixture
def fusion_setup(node_processes, test_nodes):
    process = node_processes("monodepth_ros.ros.nodes.depth.lidar_fusion_node", "/robot",
                             {"lidar_pose_in_camera": pose7_from_transform(CAMERA_FROM_LIDAR),
                              "diagnostics_period_s": 0.3})
    bench = FusionBench(test_nodes("fusion_bench"))
    assert spin_until(bench.node, lambda: bench.depth_pub.get_subscription_count() > 0, 60.0), process.log()
    return process, bench


def lidar_cloud(points: np.ndarray, frame: str = "lidar") -> PointCloud2:
    return xyz_to_pointcloud2(points.astype(np.float32), Header(frame_id=frame))


def test_fused_depth_recovers_metres_from_a_wrongly_scaled_prediction(fusion_setup):
    process, bench = fusion_setup
    truth = ground_truth_depth()
    prediction = truth * 0.55
    prediction[:, :40] *= 1.3
    assert bench.fuse_until(4, prediction, lidar_cloud(lidar_points(truth))), process.log()
    fused = depth_image_to_metres(bench.fused[-1])
    raw = depth_metrics(prediction, truth)["abs_rel"]
    fused_abs_rel = depth_metrics(fused, truth)["abs_rel"]
    assert raw > 0.4
    assert fused_abs_rel < 0.05, fused_abs_rel
    assert bench.fused[-1].header.frame_id == "camera_optical_frame"
    assert spin_until(bench.node, lambda: bench.last_status() == "fused", 5.0)


def test_relative_inverse_depth_becomes_metric(fusion_setup):
    process, bench = fusion_setup
    truth = ground_truth_depth()
    relative_inverse = (3.0 / truth + 0.2).astype(np.float32)
    assert bench.fuse_until(3, relative_inverse, lidar_cloud(lidar_points(truth)), relative=True), process.log()
    fused = depth_image_to_metres(bench.fused[-1])
    assert depth_metrics(fused, truth)["abs_rel"] < 0.05


def garbage_clouds(truth: np.ndarray) -> dict[str, PointCloud2]:
    points = lidar_points(truth)
    nan_points = points.copy()
    nan_points[::3] = np.nan
    nan_points[1::3] = np.inf
    behind = apply(invert(CAMERA_FROM_LIDAR), np.array([[0.0, 0.0, -3.0]] * 500, np.float32))
    no_xyz = np.zeros(10, dtype=[("intensity", np.float32)])
    return {"nan_and_inf": lidar_cloud(nan_points[:30]), "behind_camera": lidar_cloud(behind),
            "empty": lidar_cloud(np.zeros((0, 3), np.float32)), "unknown_frame": lidar_cloud(points, "radar_7"),
            "no_xyz_fields": array_to_pointcloud2(no_xyz, Header(frame_id="lidar"))}


def test_garbage_lidar_never_breaks_the_node_or_corrupts_depth(fusion_setup):
    process, bench = fusion_setup
    truth = ground_truth_depth()
    prediction = truth * 0.55
    for name, cloud in garbage_clouds(truth).items():
        assert bench.fuse_until(2, prediction, cloud), f"{name}: {process.log()}"
        fused = depth_image_to_metres(bench.fused[-1])
        valid = np.isfinite(fused)
        assert valid.mean() > 0.99 and (fused[valid] > 0).all(), name
        np.testing.assert_allclose(fused[valid], prediction[valid], rtol=1e-5, err_msg=name)
    assert process.alive()
    log = process.log()
    assert "no transform from 'radar_7'" in log
    assert "lacks field(s) x, y, z" in log
    assert bench.fuse_until(3, prediction, lidar_cloud(lidar_points(truth))), process.log()
    assert depth_metrics(depth_image_to_metres(bench.fused[-1]), truth)["abs_rel"] < 0.05


def test_without_lidar_depth_passes_through_and_the_node_says_so_once(fusion_setup):
    process, bench = fusion_setup
    truth = ground_truth_depth()
    assert bench.fuse_until(5, truth * 0.7, None), process.log()
    np.testing.assert_allclose(depth_image_to_metres(bench.fused[-1]), truth * 0.7, rtol=1e-6)
    warnings = [line for line in process.log().splitlines() if "no LiDAR cloud" in line]
    assert len(warnings) == 1
    assert spin_until(bench.node, lambda: bench.last_status() == "passthrough", 5.0)
    message, values = bench.last_fusion_diagnostics()
    assert values["status_reason"] == "only 0 valid LiDAR points (need 20)"
    assert "not fusing: passthrough: only 0 valid LiDAR points" in message


def test_fused_depth_is_stabilised_along_the_camera_image_and_keeps_the_lidar_scale(fusion_setup):
    process, bench = fusion_setup
    truth = ground_truth_depth()
    texture = np.random.default_rng(0).integers(0, 256, (HEIGHT // 8, WIDTH // 8, 3)).astype(np.uint8)
    rgb = np.ascontiguousarray(np.kron(texture, np.ones((8, 8, 1), np.uint8)))
    image_pub = bench.node.create_publisher(Image, "/robot/image", qos(RELIABLE))
    confidences: dict[tuple[int, int], Image] = {}
    bench.node.create_subscription(Image, "/robot/depth/fused_confidence",
                                   lambda m: confidences.setdefault((m.header.stamp.sec, m.header.stamp.nanosec), m),
                                   qos(RELIABLE))
    assert spin_until(bench.node, lambda: bench.cloud_pub.get_subscription_count() > 0
                      and image_pub.get_subscription_count() > 0, 30.0), process.log()
    rng = np.random.default_rng(1)
    cloud = lidar_cloud(lidar_points(truth))

    def publish() -> None:
        header = Header(frame_id="camera_optical_frame", stamp=bench.node.get_clock().now().to_msg())
        image_pub.publish(array_to_image(rgb, "rgb8", header))
        cloud.header.stamp = header.stamp
        bench.cloud_pub.publish(cloud)
        bench.info_pub.publish(camera_info_from_matrix(K, WIDTH, HEIGHT, header))
        noisy = (truth * 0.55 * (1.0 + 0.02 * rng.standard_normal(truth.shape))).astype(np.float32)
        bench.depth_pub.publish(array_to_image(noisy, "32FC1", header))

    assert spin_until(bench.node, lambda: len(confidences) >= 8, 30.0, every=publish, period_s=0.1), process.log()
    latest = bench.fused[-1]
    key = (latest.header.stamp.sec, latest.header.stamp.nanosec)
    assert spin_until(bench.node, lambda: key in confidences, 5.0)
    assert confidences[key].header == latest.header and confidences[key].encoding == "32FC1"
    confidence = depth_image_to_metres(confidences[key])
    assert 0.6 < float(np.mean(confidence[confidence > 0])) <= 1.0, "agreeing frames raise the confidence"
    fused = depth_image_to_metres(latest)
    assert depth_metrics(fused, truth)["abs_rel"] < 0.05, "the stabilised output keeps the LiDAR scale"


def floor_and_wall_depth() -> np.ndarray:
    """True depth (H, W) of a level camera 0.5 m above a floor (camera_pose_in_base's default) up to a wall at 5 m."""
    rows = np.arange(HEIGHT, dtype=np.float64)[:, None] - K[1, 2]
    with np.errstate(divide="ignore"):
        floor = np.where(rows > 0.0, K[1, 1] * 0.5 / rows, np.inf)
    return np.repeat(np.minimum(floor, 5.0), WIDTH, axis=1).astype(np.float32)


def test_ground_plane_scale_needs_no_lidar(node_processes, test_nodes):
    process = node_processes("monodepth_ros.ros.nodes.depth.lidar_fusion_node", "/robot",
                             {"scale_source": "ground_plane", "diagnostics_period_s": 0.3})
    bench = FusionBench(test_nodes("ground_plane_bench"))
    assert spin_until(bench.node, lambda: bench.depth_pub.get_subscription_count() > 0, 60.0), process.log()
    assert bench.cloud_pub.get_subscription_count() == 0, "no LiDAR subscription"
    truth = floor_and_wall_depth()
    assert bench.fuse_until(3, truth * np.float32(1.8), None), process.log()
    assert depth_metrics(depth_image_to_metres(bench.fused[-1]), truth)["abs_rel"] < 0.02
    assert spin_until(bench.node, lambda: bench.last_status() == "ground_plane", 5.0), process.log()
    values = bench.last_fusion_diagnostics()[1]
    assert values["scale_source"] == "ground_plane" and float(values["scale"]) == pytest.approx(1 / 1.8, rel=0.02)
    assert float(values["ground_confidence"]) > 0.5
