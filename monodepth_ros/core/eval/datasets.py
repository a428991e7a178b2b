"""Evaluation data: the Middlebury 2014 Motorcycle scene and the DATA.npz format.

DATA.npz holds ``rgb`` uint8 (N, H, W, 3) or (H, W, 3), ``depth`` float (N, H, W) or (H, W) in metres along
the optical axis, where 0 or NaN means no ground truth, and ``K`` float (3, 3), the camera matrix in pixels
shared by all frames. An optional ``sparse`` float (N, H, W) or (H, W) holds LiDAR depth in metres along the
optical axis projected into the images, 0 or NaN where there is no return. A sequence (frames in time order)
may add ``poses`` float (N, 4, 4), each frame's camera optical frame in the world (camera-to-world, metres),
``stamps`` float (N,) seconds, increasing, and ``moving`` bool (N, H, W), True on pixels of moving objects.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MOTORCYCLE_FOCAL_PX = 994.978
MOTORCYCLE_CX_PX = 311.193
MOTORCYCLE_CY_PX = 254.877
MOTORCYCLE_DOFFS_PX = 31.086
MOTORCYCLE_BASELINE_M = 0.193001


@dataclass
class EvalData:
    """Frames with ground-truth depth, N-first."""

    rgb: np.ndarray
    """uint8 (N, H, W, 3)."""
    depth: np.ndarray
    """float32 (N, H, W) metres; NaN where there is no ground truth."""
    K: np.ndarray
    """float64 (3, 3) camera matrix in pixels."""
    sparse: np.ndarray | None = None
    """float32 (N, H, W) LiDAR depth in metres, NaN where there is no return; None when the file has none."""
    poses: np.ndarray | None = None
    """float64 (N, 4, 4) camera-to-world transforms of the optical frame; None when the file has none."""
    stamps: np.ndarray | None = None
    """float64 (N,) seconds, increasing; None when the file has none."""
    moving: np.ndarray | None = None
    """bool (N, H, W), True on pixels of moving objects; None when the file has none."""

    @property
    def frames(self) -> int:
        return int(self.rgb.shape[0])


def load_middlebury_motorcycle() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Middlebury 2014 Motorcycle left view shipped with scikit-image (quarter resolution).

    Returns rgb uint8 (500, 741, 3), depth float32 (500, 741) in metres (about 2.1-5.0 m; NaN where the
    disparity has no ground truth) from Z = B * f / (d + doffs), and K float64 (3, 3).
    """
    from skimage.data import stereo_motorcycle

    rgb, _, disparity = stereo_motorcycle()
    rgb = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    disparity = disparity.astype(np.float64)
    depth = np.full(disparity.shape, np.nan, dtype=np.float32)
    known = np.isfinite(disparity) & (disparity > 0.0)
    depth[known] = MOTORCYCLE_BASELINE_M * MOTORCYCLE_FOCAL_PX / (disparity[known] + MOTORCYCLE_DOFFS_PX)
    k = np.array([[MOTORCYCLE_FOCAL_PX, 0.0, MOTORCYCLE_CX_PX],
                  [0.0, MOTORCYCLE_FOCAL_PX, MOTORCYCLE_CY_PX],
                  [0.0, 0.0, 1.0]])
    return rgb, depth, k


OPTIONAL_KEYS = ("sparse", "poses", "stamps", "moving")


def save_eval_npz(path: str | Path, rgb: np.ndarray, depth: np.ndarray, K: np.ndarray,
                  sparse: np.ndarray | None = None, poses: np.ndarray | None = None,
                  stamps: np.ndarray | None = None, moving: np.ndarray | None = None) -> None:
    """Validate and write one or more frames to ``path`` as DATA.npz (N-first, NaN for no ground truth or
    LiDAR return); ``sparse``, ``poses``, ``stamps`` and ``moving`` are written only when given."""
    data = _validated(rgb, depth, K, sparse, poses, stamps, moving)
    arrays = {"rgb": data.rgb, "depth": data.depth, "K": data.K}
    for key in OPTIONAL_KEYS:
        if getattr(data, key) is not None:
            arrays[key] = getattr(data, key)
    with open(path, "wb") as stream:
        np.savez_compressed(stream, **arrays)


def load_eval_npz(path: str | Path) -> EvalData:
    """Read and validate DATA.npz; 0 depth and sparse depth become NaN. Raises ValueError naming what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"evaluation data not found: '{path}'")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: not a readable .npz file ({error})") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: expected an .npz archive with keys rgb, depth, K; got a single array")
    with archive:
        missing = [key for key in ("rgb", "depth", "K") if key not in archive.files]
        if missing:
            found = ", ".join(archive.files) or "nothing"
            raise ValueError(f"{path}: missing {', '.join(missing)} (found: {found}); expected "
                             "rgb uint8 (N, H, W, 3), depth float32 (N, H, W) metres, K (3, 3)")
        try:
            optional = {key: archive[key] for key in OPTIONAL_KEYS if key in archive.files}
            return _validated(archive["rgb"], archive["depth"], archive["K"], **optional)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from error


def _validated(rgb: np.ndarray, depth: np.ndarray, K: np.ndarray, sparse: np.ndarray | None = None,
               poses: np.ndarray | None = None, stamps: np.ndarray | None = None,
               moving: np.ndarray | None = None) -> EvalData:
    """Check dtypes and shapes, add the frame axis when missing, and turn 0 depth and sparse depth into NaN."""
    rgb, depth, K = np.asarray(rgb), np.asarray(depth), np.asarray(K)
    if rgb.dtype != np.uint8 or rgb.ndim not in (3, 4) or rgb.shape[-1] != 3:
        raise ValueError(f"rgb must be uint8 (N, H, W, 3) or (H, W, 3), got {rgb.dtype} {rgb.shape}")
    if rgb.ndim == 3:
        rgb = rgb[None]
    depth = _validated_depth("depth", depth, rgb.shape[:3], "no ground truth")
    if rgb.shape[0] == 0:
        raise ValueError("no frames (N = 0)")
    if sparse is not None:
        sparse = _validated_depth("sparse", sparse, rgb.shape[:3], "no LiDAR return")
    if K.shape != (3, 3) or not np.issubdtype(K.dtype, np.number):
        raise ValueError(f"K must be a numeric (3, 3) camera matrix, got {K.dtype} {K.shape}")
    K = K.astype(np.float64)
    if not (np.isfinite(K).all() and K[0, 0] > 0.0 and K[1, 1] > 0.0):
        raise ValueError(f"K must be finite with positive focal lengths, got fx={K[0, 0]}, fy={K[1, 1]}")
    frames = rgb.shape[0]
    if poses is not None:
        poses = np.asarray(poses)
        if poses.shape != (frames, 4, 4) or not np.issubdtype(poses.dtype, np.number) or not np.isfinite(poses).all():
            raise ValueError(f"poses must be finite (N, 4, 4) camera-to-world transforms with N = {frames}, "
                             f"got {poses.dtype} {poses.shape}")
        poses = poses.astype(np.float64)
    if stamps is not None:
        stamps = np.asarray(stamps)
        if stamps.shape != (frames,) or not np.issubdtype(stamps.dtype, np.number) or not np.isfinite(stamps).all():
            raise ValueError(f"stamps must be finite seconds (N,) with N = {frames}, got {stamps.dtype} {stamps.shape}")
        stamps = stamps.astype(np.float64)
        if np.any(np.diff(stamps) <= 0.0):
            raise ValueError("stamps must increase from frame to frame")
    if moving is not None:
        moving = np.asarray(moving)
        if moving.dtype != bool or moving.shape != rgb.shape[:3]:
            raise ValueError(f"moving must be bool (N, H, W) = {rgb.shape[:3]}, got {moving.dtype} {moving.shape}")
    return EvalData(np.ascontiguousarray(rgb), depth, K, sparse, poses, stamps, moving)


def _validated_depth(name: str, depth: np.ndarray, frames_shape: tuple[int, ...], missing: str) -> np.ndarray:
    """float32 (N, H, W) metres from (N, H, W) or (H, W), 0 turned into NaN; raises ValueError when invalid."""
    depth = np.asarray(depth)
    if not np.issubdtype(depth.dtype, np.floating):
        raise ValueError(f"{name} must be floating point in metres, got {depth.dtype}")
    if depth.ndim == 2:
        depth = depth[None]
    if depth.shape != frames_shape:
        raise ValueError(f"{name} shape {depth.shape} does not match rgb frames (N, H, W) = {frames_shape}")
    depth = depth.astype(np.float32)
    with np.errstate(invalid="ignore"):
        if np.any(depth < 0.0) or np.any(np.isinf(depth)):
            raise ValueError(f"{name} must be >= 0 metres (0 or NaN for {missing}); found negative or inf values")
        depth[depth == 0.0] = np.nan
    return depth
