"""Inputs for the effect tests, benchmark and demo: the Middlebury Motorcycle photo with dense depth, click tracks."""
from __future__ import annotations

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle


def fill_depth_holes(depth: np.ndarray) -> np.ndarray:
    """float32 (H, W) depth with NaN filled along rows from the farther nearest valid neighbour (holes in stereo
    ground truth are mostly background hidden from one camera); rows without depth stay NaN."""
    height, width = depth.shape
    valid = np.isfinite(depth)
    positions = np.arange(width)
    left = np.maximum.accumulate(np.where(valid, positions, -1), axis=1)
    right = np.minimum.accumulate(np.where(valid, positions, width)[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(height)[:, None]
    left_depth = np.where(left >= 0, depth[rows, np.clip(left, 0, width - 1)], -np.inf)
    right_depth = np.where(right < width, depth[rows, np.clip(right, 0, width - 1)], -np.inf)
    filled = np.where(valid, depth, np.maximum(left_depth, right_depth))
    return np.where(np.isfinite(filled), filled, np.nan).astype(np.float32)


def motorcycle_scene(width: int = 0, height: int = 0) -> tuple[np.ndarray, np.ndarray, Intrinsics]:
    """The Middlebury Motorcycle left view (uint8 RGB), its ground-truth depth with holes filled (float32 metres)
    and intrinsics, resized to ``width`` x ``height`` (0 = the shipped 741x500)."""
    rgb, depth, k = load_middlebury_motorcycle()
    depth = fill_depth_holes(depth)
    original_height, original_width = depth.shape
    width, height = width or original_width, height or original_height
    scale_x, scale_y = width / original_width, height / original_height
    if (width, height) != (original_width, original_height):
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
        depth = cv2.resize(depth, (width, height), interpolation=cv2.INTER_NEAREST)
    intrinsics = Intrinsics(k[0, 0] * scale_x, k[1, 1] * scale_y, (k[0, 2] + 0.5) * scale_x - 0.5,
                            (k[1, 2] + 0.5) * scale_y - 0.5, width, height)
    return np.ascontiguousarray(rgb), depth, intrinsics


def click_track(bpm: float, seconds: float, sample_rate: int = 22050, first_beat_s: float = 0.5,
                noise: float = 0.02, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mono float32 samples of decaying 1.5 kHz clicks at ``bpm`` over faint noise, and the click times (s)."""
    rng = np.random.default_rng(seed)
    samples = noise * rng.standard_normal(int(seconds * sample_rate))
    beats = np.arange(first_beat_s, seconds - 0.2, 60.0 / bpm)
    t = np.arange(int(0.03 * sample_rate)) / sample_rate
    click = 0.8 * np.sin(2 * np.pi * 1500.0 * t) * np.exp(-t / 0.005)
    for beat in beats:
        start = int(round(beat * sample_rate))
        end = min(start + click.size, samples.size)
        samples[start:end] += click[:end - start]
    return samples.astype(np.float32), beats
