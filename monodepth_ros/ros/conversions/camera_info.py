"""sensor_msgs/CameraInfo <-> pinhole intrinsics, and rescaling to another image size (binning, ROI)."""
from __future__ import annotations

import array

import numpy as np
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import Header

from monodepth_ros.core.camera.calibration import CameraCalibration
from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.ros.conversions.errors import ConversionError


def camera_info_to_intrinsics(msg: CameraInfo) -> Intrinsics:
    """Pinhole intrinsics (pixels) from K of a CameraInfo whose K describes its own width x height.

    Binning and a region of interest are not applied here: pass the message through ``camera_info_for_image`` first.
    """
    if msg.width == 0 or msg.height == 0:
        raise ConversionError(f"CameraInfo has no image size: width={msg.width}, height={msg.height}")
    k = np.asarray(msg.k, dtype=np.float64)
    if not k.any():
        raise ConversionError("CameraInfo K is all zeros: the camera is not calibrated")
    if max(msg.binning_x, 1) != 1 or max(msg.binning_y, 1) != 1 or _has_partial_roi(msg):
        raise ConversionError(f"CameraInfo has binning ({msg.binning_x}, {msg.binning_y}) or ROI {msg.roi}; "
                              "use camera_info_for_image to get a CameraInfo for the actual image")
    try:
        return Intrinsics.from_matrix(k, msg.width, msg.height)
    except ValueError as error:
        raise ConversionError(str(error)) from error


def _has_partial_roi(info: CameraInfo) -> bool:
    roi = info.roi
    is_empty = roi.width == 0 or roi.height == 0
    is_full_frame = (roi.x_offset, roi.y_offset, roi.width, roi.height) == (0, 0, info.width, info.height)
    return not (is_empty or is_full_frame)


def camera_info_for_image(info: CameraInfo, header: Header, width: int, height: int) -> CameraInfo:
    """A copy of ``info`` with ``header`` whose K and P describe an image of ``width`` x ``height`` pixels.

    The image is taken to show the calibration ROI (or the full calibrated frame when no ROI is set) resized to
    ``width`` x ``height``, which also covers binning. Pixel centres are kept aligned as in ``cv2.resize``:
    u' = (u - x_offset + 0.5) * width / roi_width - 0.5. The result has no binning and no ROI.
    """
    if width <= 0 or height <= 0:
        raise ConversionError(f"target image has no pixels: width={width}, height={height}")
    if info.width == 0 or info.height == 0:
        raise ConversionError(f"CameraInfo has no image size: width={info.width}, height={info.height}")
    roi = info.roi
    if roi.width == 0 or roi.height == 0:
        x_offset, y_offset, source_width, source_height = 0, 0, info.width, info.height
    else:
        x_offset, y_offset, source_width, source_height = roi.x_offset, roi.y_offset, roi.width, roi.height
    scale_x, scale_y = width / source_width, height / source_height
    calibration_to_image = np.array([[scale_x, 0.0, (0.5 - x_offset) * scale_x - 0.5],
                                     [0.0, scale_y, (0.5 - y_offset) * scale_y - 0.5],
                                     [0.0, 0.0, 1.0]])
    k = np.asarray(info.k, dtype=np.float64).reshape(3, 3)
    p = np.asarray(info.p, dtype=np.float64).reshape(3, 4)
    result = CameraInfo()
    result.header = header
    result.width = width
    result.height = height
    result.distortion_model = info.distortion_model
    result.d = array.array("d", info.d)
    result.k = (calibration_to_image @ k).reshape(9)
    result.r = np.array(info.r, dtype=np.float64)
    result.p = (calibration_to_image @ p).reshape(12)
    return result


def camera_info_from_matrix(k: np.ndarray, width: int, height: int, header: Header) -> CameraInfo:
    """Distortion-free CameraInfo with K = ``k`` (3, 3) pixels and P = [K | 0]."""
    k = np.asarray(k, dtype=np.float64).reshape(3, 3)
    info = CameraInfo(header=header, width=int(width), height=int(height), distortion_model="plumb_bob")
    info.k = k.ravel().tolist()
    info.p = np.hstack([k, np.zeros((3, 1))]).ravel().tolist()
    info.r = np.eye(3).ravel().tolist()
    info.d = [0.0] * 5
    return info


def camera_info_from_calibration(calibration: CameraCalibration, header: Header) -> CameraInfo:
    """CameraInfo with the size, K, D, R and P of ``calibration`` (core.camera.calibration)."""
    info = CameraInfo(header=header, width=calibration.width, height=calibration.height,
                      distortion_model=calibration.distortion_model)
    info.k = np.asarray(calibration.k, dtype=np.float64).ravel().tolist()
    info.d = [float(value) for value in calibration.d]
    info.r = np.asarray(calibration.rectification, dtype=np.float64).ravel().tolist()
    info.p = np.asarray(calibration.projection, dtype=np.float64).ravel().tolist()
    return info
