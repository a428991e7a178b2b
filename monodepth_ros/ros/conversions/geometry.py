"""geometry_msgs Pose / Transform <-> 4x4 transforms and pose7 lists [x, y, z, qx, qy, qz, qw]."""
from __future__ import annotations

import numpy as np
from geometry_msgs.msg import Pose, Transform, TransformStamped
from std_msgs.msg import Header

from monodepth_ros.core.camera.transforms import transform_from_pose7


def pose7_to_pose(pose7: list[float]) -> Pose:
    """geometry_msgs/Pose from [x, y, z, qx, qy, qz, qw]."""
    pose = Pose()
    pose.position.x, pose.position.y, pose.position.z = (float(v) for v in pose7[:3])
    pose.orientation.x, pose.orientation.y, pose.orientation.z, pose.orientation.w = (float(v) for v in pose7[3:])
    return pose


def pose_to_transform(pose: Pose) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Pose; raises ValueError for a zero quaternion."""
    position, orientation = pose.position, pose.orientation
    return transform_from_pose7([position.x, position.y, position.z,
                                 orientation.x, orientation.y, orientation.z, orientation.w])


def transform_to_matrix(transform: Transform) -> np.ndarray:
    """4x4 transform (float64) of a geometry_msgs/Transform; raises ValueError for a zero quaternion."""
    translation, rotation = transform.translation, transform.rotation
    return transform_from_pose7([translation.x, translation.y, translation.z,
                                 rotation.x, rotation.y, rotation.z, rotation.w])


def pose7_to_transform_stamped(pose7: list[float], parent: str, child: str, stamp) -> TransformStamped:
    """TransformStamped of frame ``child`` in ``parent`` from [x, y, z, qx, qy, qz, qw]."""
    transform = Transform()
    transform.translation.x, transform.translation.y, transform.translation.z = (float(v) for v in pose7[:3])
    transform.rotation.x, transform.rotation.y, transform.rotation.z, transform.rotation.w = (
        float(v) for v in pose7[3:])
    return TransformStamped(header=Header(stamp=stamp, frame_id=parent), child_frame_id=child, transform=transform)
