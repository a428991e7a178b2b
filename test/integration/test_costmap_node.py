"""costmap_node in its own process: clouds in the camera optical frame in, a latched OccupancyGrid out."""
from __future__ import annotations

import numpy as np
import pytest
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image, PointCloud2
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import apply, invert, transform_from_pose7
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_to_array
from monodepth_ros.ros.conversions.pointcloud2 import array_to_pointcloud2, xyz_to_pointcloud2
from monodepth_ros.testing.node_process import NodeProcess

RELIABLE = ReliabilityPolicy.RELIABLE
CAMERA_FRAME = "camera_optical_frame"
CAMERA_TO_BASE = [0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5]
"""Optical frame 0.1 m ahead of and 0.5 m above base_link, looking along base x (the node's default)."""
BASE_FROM_CAMERA = transform_from_pose7(CAMERA_TO_BASE)
BOX_X, BOX_Y = (2.0, 2.3), (-0.2, 0.2)
WIDTH, HEIGHT = 160, 120
K = np.array([[120.0, 0.0, 79.5], [0.0, 120.0, 59.5], [0.0, 0.0, 1.0]])
LATCHED = QoSProfile(depth=1, reliability=RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


def grid(x: tuple[float, float], y: tuple[float, float], z: tuple[float, float], step: float) -> np.ndarray:
    axes = [np.arange(low + step / 2, high, step) for low, high in (x, y, z)]
    return np.stack([axis.ravel() for axis in np.meshgrid(*axes, indexing="ij")], axis=1)


def box_and_floor_in_camera() -> np.ndarray:
    """A 0.3 x 0.4 x 1 m box at BOX_X, BOX_Y on a floor seen up to 4 m, as camera optical frame points."""
    box = grid(BOX_X, BOX_Y, (0.0, 1.0), 0.03)
    floor = grid((0.8, 4.0), (-1.5, 1.5), (0.0, 0.04), 0.04)
    return apply(invert(BASE_FROM_CAMERA), np.concatenate([box, floor]))


def cloud(points: np.ndarray, frame: str = CAMERA_FRAME) -> PointCloud2:
    return xyz_to_pointcloud2(np.asarray(points, np.float32), Header(frame_id=frame))


def odometry(x_m: float) -> Odometry:
    message = Odometry(header=Header(frame_id="odom"), child_frame_id="base_link")
    message.pose.pose.position.x = x_m
    message.pose.pose.orientation.w = 1.0
    return message


class CostmapBench:
    """Publishes clouds, odometry and depth under /robot and collects /robot/costmap."""

    def __init__(self, node) -> None:
        self.node = node
        self.cloud_pub = self.node.create_publisher(PointCloud2, "/robot/points", qos(RELIABLE))
        self.odom_pub = self.node.create_publisher(Odometry, "/robot/odom", qos(RELIABLE, depth=20))
        self.depth_pub = self.node.create_publisher(Image, "/robot/depth/image", qos(RELIABLE))
        self.info_pub = self.node.create_publisher(CameraInfo, "/robot/depth/camera_info", qos(RELIABLE))
        self.confidence_pub = self.node.create_publisher(Image, "/robot/depth/confidence", qos(RELIABLE))
        self.costmaps: list[OccupancyGrid] = []
        self.node.create_subscription(OccupancyGrid, "/robot/costmap", self.costmaps.append, LATCHED)

    def publish(self, message: PointCloud2, odometry_message: Odometry | None = None,
                depth: np.ndarray | None = None, confidence: np.ndarray | None = None) -> None:
        stamp = self.node.get_clock().now().to_msg()
        if odometry_message is not None:
            odometry_message.header.stamp = stamp
            self.odom_pub.publish(odometry_message)
        header = Header(frame_id=CAMERA_FRAME, stamp=stamp)
        if depth is not None or confidence is not None:
            self.info_pub.publish(camera_info_from_matrix(K, WIDTH, HEIGHT, header))
        if depth is not None:
            self.depth_pub.publish(array_to_image(depth, "32FC1", header))
        if confidence is not None:
            self.confidence_pub.publish(array_to_image(confidence, "32FC1", header))
        message.header.stamp = stamp
        self.cloud_pub.publish(message)

    def publish_until_costmaps(self, count: int, message: PointCloud2, odometry_message: Odometry | None = None,
                               depth: np.ndarray | None = None, timeout_s: float = 20.0) -> bool:
        target = len(self.costmaps) + count
        return self.publish_until(lambda: len(self.costmaps) >= target, message, odometry_message, depth, timeout_s)

    def publish_until(self, condition, message: PointCloud2, odometry_message: Odometry | None = None,
                      depth: np.ndarray | None = None, timeout_s: float = 20.0) -> bool:
        return spin_until(self.node, condition, timeout_s,
                          every=lambda: self.publish(message, odometry_message, depth), period_s=0.1)

    def latest(self) -> np.ndarray:
        return occupancy_grid_to_array(self.costmaps[-1])


@pytest.fixture
def costmap_node(node_processes):
    return lambda **parameters: node_processes(
        "monodepth_ros.ros.nodes.navigation.costmap_node", "/robot",
        {"camera_pose_in_base": CAMERA_TO_BASE, "publish_rate_hz": 10.0, "evidence_half_life_s": 0.0, **parameters})


@pytest.fixture
def bench(test_nodes):
    return lambda name: CostmapBench(test_nodes(name))


def cell_centres(message: OccupancyGrid) -> tuple[np.ndarray, np.ndarray]:
    info = message.info
    along_x = info.origin.position.x + (np.arange(info.width) + 0.5) * info.resolution
    along_y = info.origin.position.y + (np.arange(info.height) + 0.5) * info.resolution
    return np.meshgrid(along_x, along_y)


def inside(message: OccupancyGrid, x: tuple[float, float], y: tuple[float, float]) -> np.ndarray:
    centres_x, centres_y = cell_centres(message)
    return (centres_x > x[0]) & (centres_x < x[1]) & (centres_y > y[0]) & (centres_y < y[1])


def wait_for_subscriber(bench: CostmapBench, process: NodeProcess) -> None:
    assert spin_until(bench.node, lambda: bench.cloud_pub.get_subscription_count() > 0, 60.0), process.log()


def test_obstacle_cells_are_published_latched_in_the_base_frame(costmap_node, bench):
    process = costmap_node()
    early = bench("costmap_early")
    wait_for_subscriber(early, process)
    assert early.publish_until_costmaps(3, cloud(box_and_floor_in_camera())), process.log()
    message = early.costmaps[-1]
    assert message.header.frame_id == "base_link"
    assert (message.info.width, message.info.height) == (200, 200)
    assert message.info.resolution == pytest.approx(0.05)
    assert (message.info.origin.position.x, message.info.origin.position.y) == (-5.0, -5.0)
    values = early.latest()
    np.testing.assert_array_equal(values == 100, inside(message, BOX_X, BOX_Y))
    assert (values[inside(message, (1.0, 1.4), (-0.2, 0.2))] == 0).all(), "free between camera and box"
    assert (values[inside(message, (-5.0, 0.0), (-5.0, 5.0))] == -1).all(), "never seen behind the camera"
    late = bench("costmap_late")
    assert spin_until(late.node, lambda: len(late.costmaps) == 1, 10.0), "a late subscriber gets the last costmap"
    assert late.costmaps[0].header.frame_id == "base_link"
    np.testing.assert_array_equal(late.latest() == 100, inside(late.costmaps[0], BOX_X, BOX_Y))
    assert process.alive()


def test_odometry_moves_remembered_obstacles_with_the_robot(costmap_node, bench):
    process = costmap_node()
    robot = bench("costmap_odometry")
    wait_for_subscriber(robot, process)
    assert robot.publish_until_costmaps(3, cloud(box_and_floor_in_camera()), odometry(0.0)), process.log()
    assert robot.publish_until_costmaps(3, cloud(np.zeros((0, 3))), odometry(1.0)), process.log()
    message = robot.costmaps[-1]
    moved_box = inside(message, (BOX_X[0] - 1.0, BOX_X[1] - 1.0), BOX_Y)
    np.testing.assert_array_equal(robot.latest() == 100, moved_box)


def test_depth_pixels_without_a_reading_clear_an_obstacle_that_left(costmap_node, bench):
    process = costmap_node(clearing_decimation=2)
    camera = bench("costmap_depth")
    wait_for_subscriber(camera, process)
    no_reading = np.full((HEIGHT, WIDTH), np.nan, np.float32)
    assert camera.publish_until_costmaps(3, cloud(box_and_floor_in_camera())), process.log()
    assert (camera.latest()[inside(camera.costmaps[-1], BOX_X, BOX_Y)] == 100).all()
    box_cells_free = lambda: (camera.latest()[inside(camera.costmaps[-1], BOX_X, BOX_Y)] == 0).all()
    assert camera.publish_until(box_cells_free, cloud(np.zeros((0, 3))), depth=no_reading), process.log()


def test_confidence_below_min_confidence_keeps_points_from_marking(costmap_node, bench):
    process = costmap_node(min_confidence=0.5)
    camera = bench("costmap_confidence")
    wait_for_subscriber(camera, process)
    assert spin_until(camera.node, lambda: camera.confidence_pub.get_subscription_count() > 0, 30.0), process.log()
    box_cloud = cloud(box_and_floor_in_camera())
    low = np.full((HEIGHT, WIDTH), 0.4, np.float32)
    sent = 0

    def publish_low_confidence() -> None:
        """Confidence alone (with an empty cloud) first, so that the node waits for it with every cloud after."""
        nonlocal sent
        sent += 1
        camera.publish(box_cloud if sent > 5 else cloud(np.zeros((0, 3))), confidence=low)

    spin_until(camera.node, lambda: sent >= 15 and len(camera.costmaps) >= 3, 20.0, every=publish_low_confidence,
               period_s=0.1)
    assert len(camera.costmaps) >= 3, process.log()
    message = camera.costmaps[-1]
    assert not (camera.latest() == 100).any(), "points of 0.4 confidence neither mark ..."
    in_view = inside(message, (1.2, 1.9), (-0.2, 0.2)) | inside(message, BOX_X, BOX_Y)
    """Between the camera and the box and the box itself; floor points outside the image (nearer than 1.1 m, or
    to the sides) weigh 1 and do mark their cells free."""
    assert (camera.latest()[in_view] == -1).all(), "... nor clear"
    high = np.full((HEIGHT, WIDTH), 0.9, np.float32)
    box_lethal = lambda: (camera.latest()[inside(camera.costmaps[-1], BOX_X, BOX_Y)] == 100).all()
    assert spin_until(camera.node, box_lethal, 20.0, every=lambda: camera.publish(box_cloud, confidence=high),
                      period_s=0.1), process.log()
    assert process.alive()


def garbage_clouds() -> dict[str, PointCloud2]:
    nan_points = np.full((100, 3), np.nan, np.float32)
    nan_points[::2] = np.inf
    truncated = cloud(box_and_floor_in_camera())
    truncated.data = truncated.data[:100]
    return {"empty": cloud(np.zeros((0, 3))), "nan_and_inf": cloud(nan_points),
            "unknown_frame": cloud(box_and_floor_in_camera(), "radar_7"),
            "no_xyz_fields": array_to_pointcloud2(np.zeros(10, dtype=[("intensity", np.float32)]),
                                                  Header(frame_id=CAMERA_FRAME)),
            "truncated": truncated}


def test_garbage_clouds_never_kill_the_node_or_wipe_the_map(costmap_node, bench):
    process = costmap_node()
    robot = bench("costmap_garbage")
    wait_for_subscriber(robot, process)
    box_cloud = cloud(box_and_floor_in_camera())
    assert robot.publish_until_costmaps(2, box_cloud), process.log()
    for name, message in garbage_clouds().items():
        for _ in range(5):
            robot.publish(message)
            spin_until(robot.node, lambda: False, 0.1)
        assert process.alive(), f"{name}: {process.log()}"
    log = process.log()
    assert log.count("have no finite points") == 1, log
    assert "no transform from 'radar_7' to 'base_link'" in log
    assert "lacks field(s) x, y, z" in log
    assert "truncated" in log
    assert (robot.latest()[inside(robot.costmaps[-1], BOX_X, BOX_Y)] == 100).all()
    assert robot.publish_until_costmaps(2, box_cloud), process.log()
    np.testing.assert_array_equal(robot.latest() == 100, inside(robot.costmaps[-1], BOX_X, BOX_Y))
