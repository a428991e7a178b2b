"""Pose and Transform messages <-> 4x4 transforms."""
import numpy as np
import pytest
from std_msgs.msg import Header


def header(frame_id: str = "camera_optical") -> Header:
    result = Header(frame_id=frame_id)
    result.stamp.sec = 12
    result.stamp.nanosec = 345
    return result


def test_pose_and_transform_messages_round_trip_through_pose7():
    from monodepth_ros.core.camera.transforms import make_transform, pose7_from_transform, rpy_to_matrix
    from monodepth_ros.ros.conversions.geometry import (
        pose7_to_pose,
        pose7_to_transform_stamped,
        pose_to_transform,
        transform_to_matrix,
    )

    expected = make_transform(rpy_to_matrix(0.1, -0.4, 2.0), [1.5, -2.0, 0.3])
    pose7 = pose7_from_transform(expected)
    np.testing.assert_allclose(pose_to_transform(pose7_to_pose(pose7)), expected, atol=1e-12)
    stamped = pose7_to_transform_stamped(pose7, "odom", "base_link", Header().stamp)
    assert (stamped.header.frame_id, stamped.child_frame_id) == ("odom", "base_link")
    np.testing.assert_allclose(transform_to_matrix(stamped.transform), expected, atol=1e-12)
    with pytest.raises(ValueError, match="quaternion"):
        pose_to_transform(pose7_to_pose([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]))
