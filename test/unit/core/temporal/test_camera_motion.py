"""Camera motion from tracked pixels and tracked depth (PnP with RANSAC)."""
import cv2
import numpy as np

from monodepth_ros.core.temporal.camera_motion import CameraMotionEstimator

WIDTH, HEIGHT = 160, 120
K = np.array([[120.0, 0.0, 79.5], [0.0, 120.0, 59.5], [0.0, 0.0, 1.0]])


def tracks(rotation: np.ndarray, translation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact tracks of a static scene: for every new pixel, the depth it had and where it was in the previous
    frame, for X_new = R X_previous + t."""
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    depth_new = 2.0 + 1.5 * np.sin(columns / 25.0) + 0.02 * rows
    points_new = np.stack([(columns - K[0, 2]) / K[0, 0] * depth_new, (rows - K[1, 2]) / K[1, 1] * depth_new,
                           depth_new], axis=-1)
    points_previous = (points_new - translation) @ rotation
    source = np.stack([K[0, 0] * points_previous[..., 0] / points_previous[..., 2] + K[0, 2],
                       K[1, 1] * points_previous[..., 1] / points_previous[..., 2] + K[1, 2]], axis=-1)
    return points_previous[..., 2].astype(np.float32), source.astype(np.float32)


def test_the_motion_of_a_static_scene_is_recovered_despite_a_moving_object():
    rotation, _ = cv2.Rodrigues(np.array([0.004, -0.02, 0.003]))
    translation = np.array([0.01, -0.005, -0.03])
    depth, source = tracks(rotation, translation)
    source[30:70, 40:90] += (6.0, 1.0)  # a mover: its pixels came from elsewhere
    usable = np.ones((HEIGHT, WIDTH), dtype=bool)
    estimated = CameraMotionEstimator(WIDTH, HEIGHT).estimate(depth, source, usable, K)
    assert estimated is not None
    np.testing.assert_allclose(estimated[0], rotation, atol=2e-4)
    np.testing.assert_allclose(estimated[1], translation, atol=1e-3)


def test_too_few_usable_tracks_give_no_motion():
    depth, source = tracks(np.eye(3), np.zeros(3))
    usable = np.zeros((HEIGHT, WIDTH), dtype=bool)
    usable[:3, :3] = True
    assert CameraMotionEstimator(WIDTH, HEIGHT).estimate(depth, source, usable, K) is None
