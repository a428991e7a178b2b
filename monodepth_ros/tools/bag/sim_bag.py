"""Record the synthetic scene into a bag, as sim_scene_node publishes it: image_raw (rgb8), camera_info,
points_lidar, odom and optionally depth/ground_truth (32FC1 metres) under one namespace, every frame stamped alike,
and the sensor extrinsics on /tf_static."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from nav_msgs.msg import Odometry
from rclpy.time import Time
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import pose7_from_transform, transform_from_pose7
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.core.sources.bag_file import (
    CAMERA_INFO_TYPE,
    IMAGE_TYPE,
    LATCHED_QOS,
    ODOMETRY_TYPE,
    POINTCLOUD_TYPE,
    TF_STATIC_TOPIC,
    TF_TYPE,
    BagWriter,
    stream_qos,
    tf_static_cdr,
)
from monodepth_ros.ros.bags.messages import to_cdr
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.geometry import pose7_to_pose
from monodepth_ros.ros.conversions.image import array_to_image
from monodepth_ros.ros.conversions.pointcloud2 import xyz_to_pointcloud2

START_STAMP_NS = 1_700_000_000 * 1_000_000_000
"""Stamp of the first frame: a plausible wall-clock time, so the bag looks like a recording."""
FRAMES = {"world": "odom", "base": "base_link", "camera": "camera_optical_frame", "lidar": "lidar"}
"""Frame ids, as sim_scene_node's defaults name them."""


SIM_TOPICS = {"image": "image_raw", "camera_info": "camera_info", "ground_truth": "depth/ground_truth",
              "lidar": "points_lidar", "odom": "odom"}
"""The topics of a sim bag, relative to its namespace."""


def sim_bag_topics(namespace: str = "/robot") -> dict[str, str]:
    """The topics of a sim bag under ``namespace`` ('' or '/name') by role (SIM_TOPICS' keys)."""
    return {role: f"{namespace.rstrip('/')}/{relative}" for role, relative in SIM_TOPICS.items()}


def write_sim_bag(path: str | Path, frames: int, config: SimSceneConfig = SimSceneConfig(),
                  rate_hz: float = 10.0, namespace: str = "/robot", storage: str = "mcap",
                  lidar: bool = True, ground_truth: bool = False) -> dict[str, str]:
    """Render ``frames`` frames of the scene, 1 / ``rate_hz`` s apart along its path, into a new bag folder.

    Log times equal the header stamps. The LiDAR cloud of a frame is written before its image (as a LiDAR driver
    may deliver it first); ``lidar`` false leaves out points_lidar; ``ground_truth`` adds depth/ground_truth (a
    second Image topic, so processing the bag then needs ``--image-topic``). Returns the topics by role
    (sim_bag_topics).
    """
    topics = sim_bag_topics(namespace)
    scene = SimScene(config)
    lidar_rng = np.random.default_rng(config.seed)
    intrinsics = scene.intrinsics
    streams = [(topics["image"], IMAGE_TYPE), (topics["camera_info"], CAMERA_INFO_TYPE),
               (topics["odom"], ODOMETRY_TYPE)]
    if ground_truth:
        streams.append((topics["ground_truth"], IMAGE_TYPE))
    if lidar:
        streams.append((topics["lidar"], POINTCLOUD_TYPE))
    with BagWriter(path, storage) as writer:
        writer.add_topic(TF_STATIC_TOPIC, TF_TYPE, LATCHED_QOS)
        for topic, msgtype in streams:
            writer.add_topic(topic, msgtype, stream_qos(depth=10 if msgtype == ODOMETRY_TYPE else 1))
        writer.write(TF_STATIC_TOPIC, START_STAMP_NS, tf_static_cdr([
            (FRAMES["base"], FRAMES["camera"], transform_from_pose7(list(config.camera_pose_in_base))),
            (FRAMES["base"], FRAMES["lidar"], transform_from_pose7(list(config.lidar_pose_in_base)))],
            START_STAMP_NS))
        for index in range(frames):
            t_s = index / rate_hz
            stamp_ns = START_STAMP_NS + round(t_s * 1e9)
            stamp = Time(nanoseconds=stamp_ns).to_msg()
            scene.set_time(t_s)
            world_from_base = scene.base_pose(t_s)
            camera_header = Header(stamp=stamp, frame_id=FRAMES["camera"])
            if lidar:
                cloud = xyz_to_pointcloud2(scene.scan_lidar(world_from_base, lidar_rng),
                                           Header(stamp=stamp, frame_id=FRAMES["lidar"]))
                writer.write(topics["lidar"], stamp_ns, to_cdr(cloud))
            rgb, depth = scene.render_camera(world_from_base)
            writer.write(topics["image"], stamp_ns, to_cdr(array_to_image(rgb, "rgb8", camera_header)))
            writer.write(topics["camera_info"], stamp_ns, to_cdr(camera_info_from_matrix(
                intrinsics.matrix, intrinsics.width, intrinsics.height, camera_header)))
            if ground_truth:
                writer.write(topics["ground_truth"], stamp_ns, to_cdr(array_to_image(depth, "32FC1", camera_header)))
            writer.write(topics["odom"], stamp_ns, to_cdr(_odometry(world_from_base, stamp)))
    return {role: topic for role, topic in topics.items() if topic in dict(streams)}


def _odometry(world_from_base: np.ndarray, stamp) -> Odometry:
    odometry = Odometry(header=Header(stamp=stamp, frame_id=FRAMES["world"]), child_frame_id=FRAMES["base"])
    odometry.pose.pose = pose7_to_pose(pose7_from_transform(world_from_base))
    return odometry
