"""Stabilise a whole recorded sequence in order, as a stream would be (offline tools and evaluation)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.temporal.config import StabiliserConfig
from monodepth_ros.core.temporal.stabiliser import TemporalStabiliser


@dataclass
class StabilisedFrames:
    depth: np.ndarray
    """float32 (N, H, W), as TemporalStabiliser.update returns it frame by frame."""
    confidence: np.ndarray
    """float32 (N, H, W) in 0..1."""
    milliseconds: list[float]
    """Wall time of each update."""
    resets: list[tuple[int, str]]
    """(frame index, reason) of every reset."""


def stabilise_frames(rgb: np.ndarray, depth: np.ndarray, intrinsics: Intrinsics, stamps_s: np.ndarray,
                     relative_inverse: bool = False, config: StabiliserConfig | None = None) -> StabilisedFrames:
    """Run one TemporalStabiliser over rgb uint8 (N, H, W, 3) and depth float (N, H, W) with stamps (N,) s."""
    stabiliser = TemporalStabiliser(config, relative_inverse=relative_inverse)
    stabilised = np.empty(np.shape(depth), dtype=np.float32)
    confidence = np.empty(np.shape(depth), dtype=np.float32)
    milliseconds, resets = [], []
    for index, (image, values, stamp_s) in enumerate(zip(rgb, depth, stamps_s)):
        start = time.perf_counter()
        result = stabiliser.update(image, values, intrinsics, float(stamp_s))
        milliseconds.append((time.perf_counter() - start) * 1e3)
        stabilised[index], confidence[index] = result.depth, result.confidence
        if result.reset_reason is not None:
            resets.append((index, result.reset_reason))
    return StabilisedFrames(stabilised, confidence, milliseconds, resets)
