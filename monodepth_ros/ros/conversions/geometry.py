"""geometry_msgs Pose / Transform <-> 4x4 transforms and pose7 lists [x, y, z, qx, qy, qz, qw]."""
from __future__ import annotations

import math

import numpy as np
from geometry_msgs.msg import Pose, Transform, TransformStamped
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import transform_from_pose7
from monodepth_ros.ros.conversions.errors import ConversionError


def pose7_to_pose(pose7: list[float]) -> Pose:
    """geometry_msgs/Pose from [x, y, z, qx, qy, qz, qw]."""
    pose = Pose()
    pose.position.x, pose.position.y, pose.position.z = (float(v) for v in pose7[:3])
    pose.orientation.x, pose.orientation.y, pose.orientation.z, pose.orientation.w = (float(v) for v in pose7[3:])
    return pose


MAX_POSITION_M = 1e7
"""Largest position coordinate accepted from a message (metres): farther is a corrupt message."""


def pose_to_transform(pose: Pose) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Pose; raises ConversionError for a non-finite or absurd
    position (beyond MAX_POSITION_M) and a zero or non-finite quaternion."""
    position, orientation = pose.position, pose.orientation
    return _transform([position.x, position.y, position.z,
                       orientation.x, orientation.y, orientation.z, orientation.w], "position")


def transform_to_matrix(transform: Transform) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Transform; raises ConversionError as ``pose_to_transform``."""
    translation, rotation = transform.translation, transform.rotation
    return _transform([translation.x, translation.y, translation.z,
                       rotation.x, rotation.y, rotation.z, rotation.w], "translation")


def _transform(pose7: list[float], what: str) -> np.ndarray:
    if not all(math.isfinite(value) and abs(value) <= MAX_POSITION_M for value in pose7[:3]):
        raise ConversionError(f"{what} ({', '.join(f'{value:.4g}' for value in pose7[:3])}) m is not finite or "
                              f"lies farther than {MAX_POSITION_M:.0e} m")
    try:
        return transform_from_pose7(pose7)
    except ValueError as error:
        raise ConversionError(f"orientation: {error}") from error


def pose7_to_transform_stamped(pose7: list[float], parent: str, child: str, stamp) -> TransformStamped:
    """TransformStamped of frame ``child`` in ``parent`` from [x, y, z, qx, qy, qz, qw]."""
    transform = Transform()
    transform.translation.x, transform.translation.y, transform.translation.z = (float(v) for v in pose7[:3])
    transform.rotation.x, transform.rotation.y, transform.rotation.z, transform.rotation.w = (
        float(v) for v in pose7[3:])
    return TransformStamped(header=Header(stamp=stamp, frame_id=parent), child_frame_id=child, transform=transform)
