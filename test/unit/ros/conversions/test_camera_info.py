"""CameraInfo <-> intrinsics and rescaling, with real sensor_msgs messages."""
import numpy as np
import pytest
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header

from monodepth_ros.ros.conversions.camera_info import camera_info_for_image, camera_info_to_intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError


def header(frame_id: str = "camera_optical") -> Header:
    result = Header(frame_id=frame_id)
    result.stamp.sec = 12
    result.stamp.nanosec = 345
    return result


def camera_info(fx=500.0, fy=520.0, cx=319.5, cy=239.5, width=640, height=480, baseline_term=-25.0) -> CameraInfo:
    info = CameraInfo(header=header("calibration_frame"), width=width, height=height, distortion_model="plumb_bob")
    info.d = [0.1, -0.05, 0.001, 0.002, 0.0]
    info.k = [fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0]
    info.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    info.p = [fx, 0.0, cx, baseline_term, 0.0, fy, cy, 0.0, 0.0, 0.0, 1.0, 0.0]
    return info


def test_intrinsics_come_from_k():
    intrinsics = camera_info_to_intrinsics(camera_info())
    assert (intrinsics.fx, intrinsics.fy, intrinsics.cx, intrinsics.cy) == (500.0, 520.0, 319.5, 239.5)
    assert (intrinsics.width, intrinsics.height) == (640, 480)


def test_all_zero_k_means_uncalibrated():
    info = camera_info()
    info.k = [0.0] * 9
    with pytest.raises(ConversionError, match=r"K is all zeros: the camera is not calibrated"):
        camera_info_to_intrinsics(info)


@pytest.mark.parametrize("fx, fy", [(-500.0, 500.0), (500.0, 0.0), (float("nan"), 500.0), (500.0, float("inf"))])
def test_invalid_focal_lengths_are_rejected(fx, fy):
    with pytest.raises(ConversionError, match=r"focal lengths must be positive and finite"):
        camera_info_to_intrinsics(camera_info(fx=fx, fy=fy))


@pytest.mark.parametrize("width, height", [(0, 480), (640, 0)])
def test_camera_info_without_size_is_rejected(width, height):
    with pytest.raises(ConversionError, match=rf"no image size: width={width}, height={height}"):
        camera_info_to_intrinsics(camera_info(width=width, height=height))


def test_binned_camera_info_must_go_through_camera_info_for_image():
    info = camera_info()
    info.binning_x = info.binning_y = 2
    with pytest.raises(ConversionError, match=r"binning \(2, 2\).*camera_info_for_image"):
        camera_info_to_intrinsics(info)
    adapted = camera_info_for_image(info, header(), 320, 240)
    assert (adapted.binning_x, adapted.binning_y) == (0, 0)
    assert camera_info_to_intrinsics(adapted).fx == pytest.approx(250.0)


def test_camera_info_for_an_image_of_the_same_size_is_an_independent_copy():
    info = camera_info()
    image_header = header("depth_frame")
    adapted = camera_info_for_image(info, image_header, 640, 480)
    assert adapted.header.frame_id == "depth_frame"
    assert (adapted.width, adapted.height, adapted.distortion_model) == (640, 480, "plumb_bob")
    np.testing.assert_array_equal(adapted.k, info.k)
    np.testing.assert_array_equal(adapted.p, info.p)
    np.testing.assert_array_equal(adapted.r, info.r)
    assert list(adapted.d) == list(info.d)
    adapted.k[0] = 1.0
    adapted.d[0] = 9.0
    assert info.k[0] == 500.0 and info.d[0] == 0.1
    assert info.header.frame_id == "calibration_frame"


def test_camera_info_for_a_half_size_image_rescales_k_and_p():
    adapted = camera_info_for_image(camera_info(), header(), 320, 240)
    assert (adapted.width, adapted.height) == (320, 240)
    half_centre_x, half_centre_y = (319.5 + 0.5) / 2 - 0.5, (239.5 + 0.5) / 2 - 0.5
    np.testing.assert_allclose(adapted.k, [250.0, 0.0, half_centre_x, 0.0, 260.0, half_centre_y, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(adapted.p, [250.0, 0.0, half_centre_x, -12.5,
                                           0.0, 260.0, half_centre_y, 0.0,
                                           0.0, 0.0, 1.0, 0.0])
    assert list(adapted.d) == [0.1, -0.05, 0.001, 0.002, 0.0]
    intrinsics = camera_info_to_intrinsics(adapted)
    assert (intrinsics.width, intrinsics.height, intrinsics.cx) == (320, 240, pytest.approx(159.5))


def test_camera_info_for_an_image_of_the_roi_shifts_the_principal_point():
    info = camera_info()
    info.roi.x_offset, info.roi.y_offset, info.roi.width, info.roi.height = 100, 40, 200, 120
    adapted = camera_info_for_image(info, header(), 200, 120)
    np.testing.assert_allclose(adapted.k, [500.0, 0.0, 219.5, 0.0, 520.0, 199.5, 0.0, 0.0, 1.0])
    assert (adapted.roi.width, adapted.roi.height) == (0, 0)
    assert camera_info_to_intrinsics(adapted).cx == pytest.approx(219.5)


def test_camera_info_for_image_rejects_missing_sizes():
    with pytest.raises(ConversionError, match=r"target image has no pixels: width=0, height=240"):
        camera_info_for_image(camera_info(), header(), 0, 240)
    with pytest.raises(ConversionError, match=r"CameraInfo has no image size"):
        camera_info_for_image(camera_info(width=0, height=0), header(), 320, 240)


@pytest.mark.parametrize("fx, fy", [(1e-37, 1e-37), (1.0, 520.0), (1e9, 1e9)], ids=["tiny", "fx-1px", "huge"])
def test_implausible_focal_lengths_are_rejected(fx, fy):
    with pytest.raises(ConversionError, match="implausible focal length"):
        camera_info_to_intrinsics(camera_info(fx=fx, fy=fy))


def test_a_principal_point_far_outside_the_image_is_rejected():
    with pytest.raises(ConversionError, match="principal point"):
        camera_info_to_intrinsics(camera_info(cx=1e7))
