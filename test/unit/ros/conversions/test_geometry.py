"""Pose and Transform messages <-> 4x4 transforms."""
import numpy as np
import pytest
from geometry_msgs.msg import Pose
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.errors import ConversionError
from monodepth_ros.ros.conversions.geometry import pose_to_transform


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


@pytest.mark.parametrize("position, message", [((float("nan"), 0.0, 0.0), "not finite"),
                                               ((0.0, float("inf"), 0.0), "not finite"),
                                               ((1e300, 0.0, 0.0), "farther than")])
def test_a_pose_with_a_non_finite_or_absurd_position_is_a_conversion_error(position, message):
    pose = Pose()
    pose.position.x, pose.position.y, pose.position.z = position
    with pytest.raises(ConversionError, match=message):
        pose_to_transform(pose)
