"""Rigid transforms as 4x4 float64 matrices (REP 103: x forward, y left, z up; optical: z forward)."""
from __future__ import annotations

import numpy as np

OPTICAL_FROM_BODY = np.array([[0.0, -1.0, 0.0, 0.0],
                              [0.0, 0.0, -1.0, 0.0],
                              [1.0, 0.0, 0.0, 0.0],
                              [0.0, 0.0, 0.0, 1.0]])
"""Maps body axes (x forward, y left, z up) to optical axes (x right, y down, z forward)."""


def quaternion_to_matrix(qx: float, qy: float, qz: float, qw: float) -> np.ndarray:
    """3x3 rotation from a unit quaternion (normalised here); raises ValueError for a zero quaternion."""
    q = np.array([qx, qy, qz, qw], dtype=np.float64)
    norm = np.linalg.norm(q)
    if not np.isfinite(norm) or norm < 1e-9:
        raise ValueError(f"invalid quaternion {q.tolist()}")
    x, y, z, w = q / norm
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def matrix_to_quaternion(rotation: np.ndarray) -> tuple[float, float, float, float]:
    """(qx, qy, qz, qw) of a 3x3 rotation matrix, with qw >= 0."""
    r = np.asarray(rotation, dtype=np.float64)
    trace = r[0, 0] + r[1, 1] + r[2, 2]
    if trace > 0.0:
        s = 2.0 * np.sqrt(trace + 1.0)
        q = [(r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s, 0.25 * s]
    else:
        i = int(np.argmax(np.diag(r)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = 2.0 * np.sqrt(1.0 + r[i, i] - r[j, j] - r[k, k])
        q = [0.0, 0.0, 0.0, (r[k, j] - r[j, k]) / s]
        q[i] = 0.25 * s
        q[j] = (r[j, i] + r[i, j]) / s
        q[k] = (r[k, i] + r[i, k]) / s
    q = np.array(q)
    q = -q if q[3] < 0.0 else q
    return tuple(float(v) for v in q / np.linalg.norm(q))


def rpy_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """3x3 rotation R = Rz(yaw) Ry(pitch) Rx(roll), angles in radians."""
    cr, sr, cp, sp, cy, sy = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch), np.cos(yaw), np.sin(yaw)
    return np.array([[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
                     [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
                     [-sp, cp * sr, cp * cr]])


def make_transform(rotation: np.ndarray, translation) -> np.ndarray:
    """4x4 transform from a 3x3 rotation and a translation (metres)."""
    transform = np.eye(4)
    transform[:3, :3] = rotation
    transform[:3, 3] = np.asarray(translation, dtype=np.float64)
    return transform


def transform_from_pose7(pose: list[float]) -> np.ndarray:
    """4x4 transform from [x, y, z, qx, qy, qz, qw] (the parameter and TF layout); raises ValueError for a
    non-finite translation or a zero or non-finite quaternion."""
    if len(pose) != 7:
        raise ValueError(f"expected [x, y, z, qx, qy, qz, qw], got {len(pose)} values")
    if not np.isfinite(np.asarray(pose[:3], dtype=np.float64)).all():
        raise ValueError(f"translation must be finite, got {list(pose[:3])}")
    return make_transform(quaternion_to_matrix(*pose[3:]), pose[:3])


def pose7_from_transform(transform: np.ndarray) -> list[float]:
    """[x, y, z, qx, qy, qz, qw] of a 4x4 transform."""
    return [float(v) for v in transform[:3, 3]] + list(matrix_to_quaternion(transform[:3, :3]))


def invert(transform: np.ndarray) -> np.ndarray:
    """Inverse of a rigid 4x4 transform."""
    inverse = np.eye(4)
    rotation_t = transform[:3, :3].T
    inverse[:3, :3] = rotation_t
    inverse[:3, 3] = -rotation_t @ transform[:3, 3]
    return inverse


def apply(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 4x4 transform to points (N, 3); returns float32 (N, 3)."""
    points = np.asarray(points, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return (points @ transform[:3, :3].T + transform[:3, 3]).astype(np.float32)
