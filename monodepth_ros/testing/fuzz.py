"""Fuzzing of node processes over real DDS: bursts of malformed messages per input, each followed by a good frame
whose output is checked, counting crashes, hangs, wrong outputs and log lines per distinct problem.

python -m monodepth_ros.testing.fuzz [--messages-per-node N] [--nodes depth,pointcloud,fusion,costmap] [--seed S]
prints one row per node and exits 1 when a node crashed, hung, published a wrong output or logged one problem more
than LOG_LINES_PER_PROBLEM_PER_MINUTE times in a minute.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import rclpy
from geometry_msgs.msg import Pose
from nav_msgs.msg import OccupancyGrid, Odometry
from rcl_interfaces.msg import Parameter as ParameterMessage
from rcl_interfaces.msg import ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CameraInfo, Image, PointCloud2, PointField
from std_msgs.msg import Header

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.camera.transforms import apply, invert, transform_from_pose7
from monodepth_ros.ros.common.diagnostics.problem_log import problem_signature
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.conversions.pointcloud2 import array_to_pointcloud2, pointcloud2_to_xyz, xyz_to_pointcloud2
from monodepth_ros.ros.nodes.navigation.costmap_params import CAMERA_POSE_IN_BASE_DEFAULT
from monodepth_ros.testing.node_process import NodeProcess

LOG_LINES_PER_PROBLEM_PER_MINUTE = 8
"""Most log lines one distinct problem may take in any minute: its start and at most one repeat line per 20 s
(ProblemLog.REPEAT_LOG_PERIOD_S), each followed at most by its end."""
BURST = 20
"""Malformed messages per burst; a good frame follows each burst."""
GOOD_FRAME_TIMEOUT_S = 10.0
"""A good frame without output within this time is a hang."""
WIDTH, HEIGHT = 64, 48
K = np.array([[60.0, 0.0, 31.5], [0.0, 60.0, 23.5], [0.0, 0.0, 1.0]])
CAMERA_FRAME = "camera_optical_frame"
MAX_COORDINATE_M = 1e4
"""Published points farther than this from the sensor are wrong (the inputs hold nothing beyond 20 m)."""
RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
BOX_X, BOX_Y = (1.4, 1.7), (-0.2, 0.2)
"""The one obstacle of the costmap's good cloud (base frame, metres)."""
LOG_LINE = re.compile(r"^\[(WARN|ERROR|INFO|FATAL)\] \[(\d+\.\d+)\] \[[^\]]*\]: (.*)$")
REPEAT_SUFFIX = re.compile(r" \(repeated \d+ times in the last \d+ s\)$")


# --- good inputs --------------------------------------------------------------------------------------------

def header(stamp_ns: int, frame_id: str = CAMERA_FRAME) -> Header:
    result = Header(frame_id=frame_id)
    result.stamp.sec, result.stamp.nanosec = divmod(int(stamp_ns), 1_000_000_000)
    return result


def good_info(stamp_ns: int) -> CameraInfo:
    return camera_info_from_matrix(K, WIDTH, HEIGHT, header(stamp_ns))


def good_depth(stamp_ns: int) -> Image:
    """A plane 2 m ahead, 32FC1 metres."""
    return array_to_image(np.full((HEIGHT, WIDTH), 2.0, np.float32), "32FC1", header(stamp_ns))


def good_rgb(stamp_ns: int, rng: np.random.Generator) -> Image:
    return array_to_image(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8), "rgb8", header(stamp_ns))


def good_lidar(stamp_ns: int) -> PointCloud2:
    """Points of the 2 m plane in the camera frame (the LiDAR frame coincides with it)."""
    u, v = np.meshgrid(np.arange(4, WIDTH, 8), np.arange(4, HEIGHT, 4))
    z = np.full(u.size, 2.0)
    xyz = np.stack([(u.ravel() - K[0, 2]) * z / K[0, 0], (v.ravel() - K[1, 2]) * z / K[1, 1], z], axis=1)
    return xyz_to_pointcloud2(xyz.astype(np.float32), header(stamp_ns, "lidar"))


def box_cloud(stamp_ns: int) -> PointCloud2:
    """The costmap's obstacle: a box at BOX_X x BOX_Y, 0.2 .. 0.8 m high, seen from the camera (optical frame at
    costmap_node's default camera_pose_in_base)."""
    axes = [np.arange(low + 0.025, high, 0.05) for low, high in (BOX_X, BOX_Y, (0.2, 0.8))]
    grid = np.stack([axis.ravel() for axis in np.meshgrid(*axes, indexing="ij")], axis=1)
    camera_from_base = invert(transform_from_pose7(CAMERA_POSE_IN_BASE_DEFAULT))
    return xyz_to_pointcloud2(apply(camera_from_base, grid), header(stamp_ns, CAMERA_FRAME))


def good_odometry(stamp_ns: int) -> Odometry:
    message = Odometry(header=header(stamp_ns, "odom"), child_frame_id="base_link")
    message.pose.pose.orientation.w = 1.0
    return message


# --- malformed inputs ---------------------------------------------------------------------------------------

def _text(rng: random.Random, length: int | None = None) -> str:
    length = rng.randint(0, 40) if length is None else length
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_/ ") for _ in range(length))


def malformed_image(image: Image, rng: random.Random) -> tuple[str, Image]:
    """A copy of ``image`` broken one way, and the way."""
    kind = rng.choice(["encoding", "truncated", "empty", "step_small", "step_huge", "zero_size", "huge_size",
                       "colour_as_depth", "mono16_as_depth", "values", "bigendian", "frame_id", "extra_data"])
    message = Image(header=image.header, height=image.height, width=image.width, encoding=image.encoding,
                    is_bigendian=image.is_bigendian, step=image.step, data=bytes(image.data))
    if kind == "encoding":
        message.encoding = _text(rng, rng.randint(1, 200))
    elif kind == "truncated":
        message.data = bytes(image.data[:rng.randint(0, len(image.data) - 1)])
    elif kind == "empty":
        message.data = b""
    elif kind == "step_small":
        message.step = rng.randint(0, max(image.step - 1, 0))
    elif kind == "step_huge":
        message.step = rng.choice([2**31, 2**32 - 1, image.step * 1000])
    elif kind == "zero_size":
        message.width, message.height = rng.choice([(0, image.height), (image.width, 0), (0, 0)])
    elif kind == "huge_size":
        message.width, message.height = rng.choice([(2**31, 1), (1, 2**31), (2**32 - 1, 2**32 - 1), (65536, 65536)])
    elif kind == "colour_as_depth":
        message.encoding = "rgb8" if image.encoding != "rgb8" else "32FC1"
    elif kind == "mono16_as_depth":
        message.encoding = "16UC1" if image.encoding != "16UC1" else "rgb8"
    elif kind == "values":
        if image.encoding == "32FC1":
            values = np.frombuffer(image.data, np.float32).copy()
            values[rng.sample(range(values.size), 20)] = rng.choice([np.nan, np.inf, -np.inf, -1.0, 1e38, 0.0])
            message.data = values.tobytes()
        else:
            message.data = bytes(rng.getrandbits(8) for _ in range(len(image.data)))
    elif kind == "bigendian":
        message.is_bigendian = not image.is_bigendian
    elif kind == "frame_id":
        message.header.frame_id = _text(rng, rng.randint(0, 300))
    else:
        message.data = bytes(image.data) + bytes(rng.randint(1, 5000))
    return f"Image:{kind}", message


def malformed_camera_info(info: CameraInfo, rng: random.Random) -> tuple[str, CameraInfo]:
    kind = rng.choice(["k_zero", "k_nan", "k_inf", "fx_tiny", "fx_negative", "fx_huge", "cx_huge", "zero_size",
                       "huge_size", "binning", "roi", "distortion", "p_nan"])
    message = CameraInfo(header=info.header, width=info.width, height=info.height,
                         distortion_model=info.distortion_model, d=list(info.d), k=list(info.k), r=list(info.r),
                         p=list(info.p))
    k = list(info.k)
    if kind == "k_zero":
        k = [0.0] * 9
    elif kind == "k_nan":
        k[rng.choice([0, 2, 4, 5])] = math.nan
    elif kind == "k_inf":
        k[rng.choice([0, 2, 4, 5])] = rng.choice([math.inf, -math.inf])
    elif kind == "fx_tiny":
        k[0] = k[4] = rng.choice([1e-37, 1e-20, 1e-6, 0.01])
    elif kind == "fx_negative":
        k[rng.choice([0, 4])] = -rng.uniform(1.0, 1000.0)
    elif kind == "fx_huge":
        k[0] = k[4] = rng.choice([1e9, 1e30, 1e300])
    elif kind == "cx_huge":
        k[rng.choice([2, 5])] = rng.choice([1e9, -1e12, 1e300])
    elif kind == "zero_size":
        message.width, message.height = rng.choice([(0, info.height), (info.width, 0), (0, 0)])
    elif kind == "huge_size":
        message.width, message.height = rng.choice([(2**31, 1), (2**32 - 1, 2**32 - 1)])
    elif kind == "binning":
        message.binning_x, message.binning_y = rng.choice([(2**31, 1), (2**32 - 1, 2**32 - 1), (1000, 0)])
    elif kind == "roi":
        message.roi.x_offset, message.roi.width = rng.choice([(2**31, 10), (10, 2**32 - 1), (info.width, 1)])
        message.roi.height = rng.choice([1, 2**32 - 1])
    elif kind == "distortion":
        message.distortion_model = _text(rng, rng.randint(0, 100))
        message.d = [rng.uniform(-1e6, 1e6) for _ in range(rng.randint(0, 500))]
    else:
        message.p = [math.nan] * 12
    message.k = k
    return f"CameraInfo:{kind}", message


def malformed_cloud(cloud: PointCloud2, rng: random.Random, now_ns: int) -> tuple[str, PointCloud2]:
    kind = rng.choice(["point_step_huge", "point_step_zero", "point_step_small", "field_count", "field_offset",
                       "field_duplicate", "field_datatype", "field_name", "missing_xyz", "row_step", "truncated",
                       "huge_size", "nan_inf", "zero_points", "huge_coordinates", "integer_fields", "future_stamp",
                       "unknown_frame", "too_many_fields"])
    message = PointCloud2(header=Header(stamp=cloud.header.stamp, frame_id=cloud.header.frame_id),
                          height=cloud.height, width=cloud.width,
                          fields=[PointField(name=f.name, offset=f.offset, datatype=f.datatype, count=f.count)
                                  for f in cloud.fields],
                          is_bigendian=cloud.is_bigendian, point_step=cloud.point_step, row_step=cloud.row_step,
                          data=bytes(cloud.data), is_dense=cloud.is_dense)
    xyz = pointcloud2_to_xyz(cloud)
    if kind == "point_step_huge":
        message.point_step = rng.choice([2**31, 2**32 - 1, 70000])
    elif kind == "point_step_zero":
        message.point_step = 0
    elif kind == "point_step_small":
        message.point_step = rng.randint(1, 11)
    elif kind == "field_count":
        message.fields[rng.randrange(3)].count = rng.choice([0, 2, 2**31 - 1, 2**32 - 1, 10**6])
    elif kind == "field_offset":
        message.fields[rng.randrange(3)].offset = rng.choice([2**32 - 1, 2**31, message.point_step])
    elif kind == "field_duplicate":
        message.fields[1].name = message.fields[0].name
    elif kind == "field_datatype":
        message.fields[rng.randrange(3)].datatype = rng.choice([0, 9, 255])
    elif kind == "field_name":
        message.fields[rng.randrange(3)].name = rng.choice(["", _text(rng, 500)])
    elif kind == "missing_xyz":
        message.fields = message.fields[1:]
    elif kind == "row_step":
        message.row_step = rng.randint(0, max(message.row_step - 1, 0))
    elif kind == "truncated":
        message.data = bytes(cloud.data[:rng.randint(0, len(cloud.data) - 1)])
    elif kind == "huge_size":
        message.width, message.height = rng.choice([(2**31, 2**31), (2**32 - 1, 1), (1, 2**32 - 1)])
    elif kind == "nan_inf":
        xyz = xyz.copy()
        xyz[rng.sample(range(len(xyz)), min(10, len(xyz)))] = rng.choice([np.nan, np.inf, -np.inf])
        message = xyz_to_pointcloud2(xyz, message.header)
    elif kind == "zero_points":  # the "no return" of many drivers among real points
        message = xyz_to_pointcloud2(np.concatenate([xyz, np.zeros((rng.randint(1, 50), 3), np.float32)]),
                                     message.header)
    elif kind == "huge_coordinates":
        xyz = xyz.copy()
        xyz[rng.sample(range(len(xyz)), min(10, len(xyz)))] = rng.choice([1e30, -3e38, 1e9])
        message = xyz_to_pointcloud2(xyz, message.header)
    elif kind == "integer_fields":
        points = np.zeros(len(xyz), dtype=[("x", np.int16), ("y", np.int16), ("z", np.int16)])
        for column, axis in enumerate("xyz"):
            points[axis] = np.clip(np.round(xyz[:, column] * 1000), -32768, 32767)
        message = array_to_pointcloud2(points, message.header)
    elif kind == "future_stamp":
        message.header = header(now_ns + int(rng.choice([1e6, 1e9, 3e9])) * 1_000_000_000, message.header.frame_id)
    elif kind == "unknown_frame":
        message.header.frame_id = _text(rng, rng.randint(1, 200))
    else:  # a byte-swapped cloud is not used: its values are well-formed, only wrong, and would mark obstacles
        message.fields = [PointField(name=f"f{index}", offset=0, datatype=PointField.UINT8, count=1)
                          for index in range(rng.randint(300, 3000))]
    return f"PointCloud2:{kind}", message


def malformed_odometry(odometry: Odometry, rng: random.Random) -> tuple[str, Odometry]:
    kind = rng.choice(["position_nan", "position_inf", "position_huge", "quaternion_zero", "quaternion_nan",
                       "frames"])
    message = Odometry(header=odometry.header, child_frame_id=odometry.child_frame_id)
    pose = Pose()
    pose.orientation.w = 1.0
    if kind == "position_nan":
        pose.position.x = math.nan
    elif kind == "position_inf":
        pose.position.y = rng.choice([math.inf, -math.inf])
    elif kind == "position_huge":
        pose.position.x = rng.choice([1e300, -1e200, 1e19])
    elif kind == "quaternion_zero":
        pose.orientation.w = 0.0
    elif kind == "quaternion_nan":
        pose.orientation.z = math.nan
    else:
        message.header.frame_id, message.child_frame_id = _text(rng, 10), _text(rng, 10)
    message.pose.pose = pose
    return f"Odometry:{kind}", message


def malformed_parameter(rng: random.Random, names: list[str]) -> tuple[str, ParameterMessage]:
    """A parameter update the node must refuse or apply without harm: wrong type, NaN, out of range, unknown."""
    kind = rng.choice(["wrong_type", "nan", "out_of_range", "unknown", "read_only_string"])
    name = rng.choice(names) if kind != "unknown" else _text(rng, 20)
    value = ParameterValue()
    if kind == "wrong_type" or kind == "read_only_string":
        value.type, value.string_value = ParameterType.PARAMETER_STRING, _text(rng)
    elif kind == "nan":
        value.type, value.double_value = ParameterType.PARAMETER_DOUBLE, rng.choice([math.nan, math.inf, -math.inf])
    elif kind == "out_of_range":
        value.type, value.double_value = ParameterType.PARAMETER_DOUBLE, rng.choice([-1e9, 1e12, -0.5])
    else:
        value.type, value.integer_value = ParameterType.PARAMETER_INTEGER, rng.randint(-2**63, 2**63 - 1)
    return f"Parameter:{kind}", ParameterMessage(name=name, value=value)


# --- targets ------------------------------------------------------------------------------------------------

@dataclass
class Target:
    """One node under fuzz: how it is started, fed good frames and malformed messages, and how outputs are judged."""

    name: str
    module: str
    parameters: dict
    inputs: dict[str, type]
    """Input topic (relative to the namespace) -> message type."""
    output: tuple[str, type]
    good_frame: Callable[[int, np.random.Generator], dict[str, object]]
    """stamp (ns) -> topic -> message, published in this order (the driving input last)."""
    malform: Callable[[dict[str, object], random.Random, int], tuple[str, str, object]]
    """(good frame, rng, now ns) -> (label, topic, malformed message)."""
    check: Callable[[object], str | None]
    """An output -> why it is wrong, or None."""
    tunable: list[str] = field(default_factory=list)
    latched_output: bool = False
    message_period_s: float = 0.002
    """Pause after each malformed message: long enough for a node that keeps state to integrate each one."""


def _finite_bounded_points(cloud: PointCloud2) -> str | None:
    xyz = pointcloud2_to_xyz(cloud)
    if not np.isfinite(xyz).all():
        return f"{int(np.count_nonzero(~np.isfinite(xyz).all(axis=1)))} non-finite points published"
    if len(xyz) and np.abs(xyz).max() > MAX_COORDINATE_M:
        return f"a point {np.abs(xyz).max():.3g} m away published"
    return None


def _depth_image_check(low: float, high: float) -> Callable[[Image], str | None]:
    def check(image: Image) -> str | None:
        values = np.frombuffer(image.data, np.float32)
        if np.isinf(values).any():
            return "infinite depth published"
        finite = values[np.isfinite(values)]
        if finite.size and (finite.min() < low or finite.max() > high):
            return f"depth {finite.min():.3g} .. {finite.max():.3g} m outside [{low}, {high}] published"
        return None

    return check


def _intrinsics_check(info: CameraInfo) -> str | None:
    try:
        Intrinsics.from_matrix(np.asarray(info.k), info.width, info.height)
    except ValueError as error:
        return f"depth published with invalid intrinsics ({error})"
    return None


def _costmap_check(grid: OccupancyGrid) -> str | None:
    values = np.asarray(grid.data, np.int8).reshape(grid.info.height, grid.info.width)
    resolution = grid.info.resolution
    centres_x = grid.info.origin.position.x + (np.arange(grid.info.width) + 0.5) * resolution
    centres_y = grid.info.origin.position.y + (np.arange(grid.info.height) + 0.5) * resolution
    xx, yy = np.meshgrid(centres_x, centres_y)
    margin = 2 * resolution
    in_box = ((xx > BOX_X[0] - margin) & (xx < BOX_X[1] + margin)
              & (yy > BOX_Y[0] - margin) & (yy < BOX_Y[1] + margin))
    wrong = (values == 100) & ~in_box
    if wrong.any():
        rows, cols = np.nonzero(wrong)
        return (f"{int(wrong.sum())} lethal cells outside the obstacle, e.g. at "
                f"({centres_x[cols[0]]:.2f}, {centres_y[rows[0]]:.2f}) m")
    return None


def _frame_malform(frame: dict[str, object], rng: random.Random, now_ns: int) -> tuple[str, str, object]:
    topic = rng.choice(list(frame))
    message = frame[topic]
    if isinstance(message, Image):
        label, broken = malformed_image(message, rng)
    elif isinstance(message, CameraInfo):
        label, broken = malformed_camera_info(message, rng)
    elif isinstance(message, PointCloud2):
        label, broken = malformed_cloud(message, rng, now_ns)
    else:
        label, broken = malformed_odometry(message, rng)
    return label, topic, broken


def targets() -> dict[str, Target]:
    return {
        "depth": Target(
            "depth_node", "monodepth_ros.ros.nodes.depth.depth_node", {"reliability": "reliable"},
            {"camera_info": CameraInfo, "image": Image}, ("depth/camera_info", CameraInfo),
            lambda stamp, rng: {"camera_info": good_info(stamp), "image": good_rgb(stamp, rng)},
            _frame_malform, _intrinsics_check, ["min_depth_m", "max_depth_m", "camera_info_tolerance_s"]),
        "pointcloud": Target(
            "pointcloud_node", "monodepth_ros.ros.nodes.navigation.pointcloud_node",
            {"reliability": "reliable", "min_depth_m": 0.1, "max_depth_m": 20.0},
            {"depth/camera_info": CameraInfo, "depth/image": Image}, ("points", PointCloud2),
            lambda stamp, rng: {"depth/camera_info": good_info(stamp), "depth/image": good_depth(stamp)},
            _frame_malform, _finite_bounded_points, ["min_depth_m", "max_depth_m", "decimation", "voxel_size_m"]),
        "fusion": Target(
            "lidar_fusion_node", "monodepth_ros.ros.nodes.depth.lidar_fusion_node",
            {"reliability": "reliable", "min_depth_m": 0.1, "max_depth_m": 80.0},
            {"depth/camera_info": CameraInfo, "points_lidar": PointCloud2, "depth/image": Image},
            ("depth/fused", Image),
            lambda stamp, rng: {"depth/camera_info": good_info(stamp), "points_lidar": good_lidar(stamp),
                                "depth/image": good_depth(stamp)},
            _frame_malform, _depth_image_check(0.1, 80.0), ["min_depth_m", "max_depth_m", "lidar_time_tolerance_s"]),
        "costmap": Target(
            "costmap_node", "monodepth_ros.ros.nodes.navigation.costmap_node",
            {"reliability": "reliable", "clear_from_depth": False, "publish_rate_hz": 20.0},
            {"odom": Odometry, "points": PointCloud2}, ("costmap", OccupancyGrid),
            lambda stamp, rng: {"odom": good_odometry(stamp), "points": box_cloud(stamp)},
            _frame_malform, _costmap_check, ["pose_time_tolerance_s", "clearing_decimation"], latched_output=True,
            message_period_s=0.05),
    }


# --- the run ------------------------------------------------------------------------------------------------

@dataclass
class FuzzReport:
    node: str
    messages: int = 0
    good_frames: int = 0
    crashes: int = 0
    hangs: int = 0
    wrong_outputs: int = 0
    wrong_examples: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    log_lines: int = 0
    distinct_problems: int = 0
    max_lines_per_problem_minute: int = 0
    noisiest_problem: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return (self.crashes == 0 and self.hangs == 0 and self.wrong_outputs == 0
                and self.max_lines_per_problem_minute <= LOG_LINES_PER_PROBLEM_PER_MINUTE)


class Fuzzer:
    """Feeds one node process (started here) from ``node`` and judges what it publishes."""

    def __init__(self, node: Node, target: Target, log_path: Path, seed: int) -> None:
        self.node, self.target = node, target
        self.namespace = f"/fuzz_{target.name}_{os.getpid()}"
        self.process = NodeProcess(target.module, log_path, {**target.parameters, "diagnostics_period_s": 0.5},
                                   {"__ns": self.namespace})
        self.rng, self.np_rng = random.Random(seed), np.random.default_rng(seed)
        self.publishers = {topic: node.create_publisher(message_type, f"{self.namespace}/{topic}", RELIABLE)
                           for topic, message_type in target.inputs.items()}
        topic, message_type = target.output
        self.outputs: list[object] = []
        self.report = FuzzReport(target.name)
        self.subscription = node.create_subscription(message_type, f"{self.namespace}/{topic}", self._on_output,
                                                     LATCHED if target.latched_output else RELIABLE)
        self.parameters = node.create_client(SetParameters, f"{self.namespace}/{target.name}/set_parameters")

    def _on_output(self, message) -> None:
        self.outputs.append(message)
        reason = self.target.check(message)
        if reason is not None:
            self.report.wrong_outputs += 1
            if len(self.report.wrong_examples) < 5:
                self.report.wrong_examples.append(reason)

    def _spin(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            rclpy.spin_once(self.node, timeout_sec=max(0.0, min(0.01, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                return

    def wait_until_ready(self, timeout_s: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.alive():
            if all(publisher.get_subscription_count() > 0 for publisher in self.publishers.values()):
                return True
            self._spin(0.1)
        return False

    def now_ns(self) -> int:
        return self.node.get_clock().now().nanoseconds

    def good_frame(self) -> bool:
        """Publish good frames until one gives an output with its stamp (False: a hang)."""
        deadline = time.monotonic() + GOOD_FRAME_TIMEOUT_S
        while time.monotonic() < deadline and self.process.alive():
            stamp = self.now_ns()
            for topic, message in self.target.good_frame(stamp, self.np_rng).items():
                self.publishers[topic].publish(message)
            until = time.monotonic() + 0.5
            while time.monotonic() < until:
                self._spin(0.02)
                if any(_stamp_ns(output) == stamp for output in self.outputs[-5:]):
                    self.report.good_frames += 1
                    return True
        return False

    def burst(self, count: int) -> None:
        frame = self.target.good_frame(self.now_ns(), self.np_rng)
        for _ in range(count):
            if self.target.tunable and self.rng.random() < 0.05:
                label, parameter = malformed_parameter(self.rng, self.target.tunable)
                self.parameters.call_async(SetParameters.Request(parameters=[parameter]))
            else:
                label, topic, message = self.target.malform(frame, self.rng, self.now_ns())
                for frame_topic, good in frame.items():  # the whole frame, one part broken, the driving one last
                    self.publishers[frame_topic].publish(message if frame_topic == topic else good)
            self.report.kinds.add(label)
            self.report.messages += 1
            self._spin(self.target.message_period_s)

    def run(self, messages: int) -> FuzzReport:
        started = time.monotonic()
        if not self.wait_until_ready():
            self.report.crashes += 1
            self.report.wrong_examples.append("did not start: " + self.process.log(5))
            return self.report
        if not self.good_frame():
            self.report.hangs += 1
        while self.report.messages < messages and self.process.alive():
            self.burst(min(BURST, messages - self.report.messages))
            if not self.good_frame():
                self.report.hangs += 1
        self._spin(0.5)
        if not self.process.alive():
            self.report.crashes += 1
        self.report.seconds = time.monotonic() - started
        self.process.stop()
        log = self.process.log_path.read_text()
        self.report.crashes += log.count("Traceback")
        count_log_lines(log, self.report)
        return self.report


def _stamp_ns(message) -> int:
    return message.header.stamp.sec * 1_000_000_000 + message.header.stamp.nanosec


def count_log_lines(log: str, report: FuzzReport) -> None:
    """Warnings, errors and ends of problems per distinct problem (the signature of their text): the most any
    one took within a minute."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in log.splitlines():
        match = LOG_LINE.match(line)
        if match is None:
            continue
        level, stamp, message = match.groups()
        if level == "INFO" and not message.startswith("resolved: "):
            continue
        message = REPEAT_SUFFIX.sub("", message.removeprefix("resolved: "))
        times[problem_signature(message)].append(float(stamp))
    report.log_lines = sum(len(stamps) for stamps in times.values())
    report.distinct_problems = len(times)
    for signature, stamps in times.items():
        stamps.sort()
        most = max(sum(1 for other in stamps[index:] if other - first < 60.0) for index, first in enumerate(stamps))
        if most > report.max_lines_per_problem_minute:
            report.max_lines_per_problem_minute, report.noisiest_problem = most, signature[:80]


def fuzz_node(target: Target, messages: int, seed: int, log_folder: Path) -> FuzzReport:
    """Fuzz one node process with ``messages`` malformed messages (``rclpy`` must be initialised)."""
    node = rclpy.create_node(f"fuzzer_{target.name}_{os.getpid()}")
    try:
        return Fuzzer(node, target, log_folder / f"{target.name}.log", seed).run(messages)
    finally:
        node.destroy_node()


def table(reports: list[FuzzReport]) -> str:
    header_row = ("| node | malformed messages | kinds | good frames | crashes | hangs | wrong outputs | log lines | "
                  "distinct problems | most lines per problem in a minute | seconds |")
    rows = [header_row, "|" + "---|" * 11]
    for report in reports:
        rows.append(f"| {report.node} | {report.messages} | {len(report.kinds)} | {report.good_frames} | "
                    f"{report.crashes} | {report.hangs} | {report.wrong_outputs} | {report.log_lines} | "
                    f"{report.distinct_problems} | {report.max_lines_per_problem_minute} | {report.seconds:.0f} |")
    total = sum(report.messages for report in reports)
    rows.append(f"| all | {total} | {sum(len(r.kinds) for r in reports)} | {sum(r.good_frames for r in reports)} | "
                f"{sum(r.crashes for r in reports)} | {sum(r.hangs for r in reports)} | "
                f"{sum(r.wrong_outputs for r in reports)} | {sum(r.log_lines for r in reports)} | "
                f"{sum(r.distinct_problems for r in reports)} | "
                f"{max((r.max_lines_per_problem_minute for r in reports), default=0)} | "
                f"{sum(r.seconds for r in reports):.0f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--messages-per-node", type=int, default=2600)
    parser.add_argument("--nodes", default="depth,pointcloud,fusion,costmap")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--logs", type=Path, default=None, help="folder for the node logs (default: temporary)")
    arguments = parser.parse_args(argv)
    chosen = targets()
    names = [name.strip() for name in arguments.nodes.split(",") if name.strip()]
    unknown = [name for name in names if name not in chosen]
    if unknown:
        parser.error(f"unknown node(s) {', '.join(unknown)}; choose from {', '.join(chosen)}")
    rclpy.init()
    reports = []
    try:
        with tempfile.TemporaryDirectory() as temporary:
            logs = arguments.logs or Path(temporary)
            logs.mkdir(parents=True, exist_ok=True)
            for index, name in enumerate(names):
                report = fuzz_node(chosen[name], arguments.messages_per_node, arguments.seed + index, logs)
                reports.append(report)
                print(f"{name}: {report.messages} messages, {report.crashes} crashes, {report.hangs} hangs, "
                      f"{report.wrong_outputs} wrong outputs {report.wrong_examples[:2]}, noisiest problem "
                      f"{report.max_lines_per_problem_minute} lines/min: {report.noisiest_problem!r}", flush=True)
    finally:
        rclpy.try_shutdown()
    print(table(reports))
    print(f"bound: at most {LOG_LINES_PER_PROBLEM_PER_MINUTE} log lines per distinct problem per minute")
    return 0 if all(report.passed for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
