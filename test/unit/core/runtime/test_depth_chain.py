"""The offline chain: FastDepth on a real image with sensor noise, stabilised and fused as the nodes do it."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.runtime.depth_chain import DepthChain, DepthChainConfig

FRAMES = 12
FRAME_S = 1.0 / 30.0
LIDAR_SCALE = 1.5
"""The LiDAR sees the scene 1.5 x farther than the indoor model predicts it: fusion must take that scale."""


@pytest.fixture(scope="module")
def scene():
    rgb, depth, k = load_middlebury_motorcycle()
    rgb, depth = rgb[::3, ::3], depth[::3, ::3]
    intrinsics = Intrinsics.from_matrix(k / np.array([[3, 1, 3], [1, 3, 3], [1, 1, 1]]), rgb.shape[1], rgb.shape[0])
    rng = np.random.default_rng(0)
    frames = [np.clip(rgb + rng.normal(0.0, 6.0, rgb.shape), 0, 255).astype(np.uint8) for _ in range(FRAMES)]
    return frames, depth, intrinsics


@pytest.fixture(scope="module")
def estimator():
    return DepthEstimator(ModelSpec())


def run(chain: DepthChain, frames, intrinsics, sparse=None):
    return [chain.process(rgb, intrinsics, index * FRAME_S, sparse) for index, rgb in enumerate(frames)]


def flicker(depths: list[np.ndarray]) -> float:
    """Mean over consecutive frames of the median |D(t+1) - D(t)| / D(t) (a static camera: all of it is flicker)."""
    return float(np.mean([np.nanmedian(np.abs(b - a) / a) for a, b in zip(depths, depths[1:])]))


def test_stabilised_depth_flickers_less_than_per_frame_depth_of_the_same_frames(scene, estimator):
    frames, _, intrinsics = scene
    stabilised = run(DepthChain(estimator), frames, intrinsics)
    per_frame = run(DepthChain(estimator, DepthChainConfig(temporal_consistency=False)), frames, intrinsics)
    assert flicker([out.depth for out in stabilised[2:]]) < 0.8 * flicker([out.depth for out in per_frame[2:]])
    assert per_frame[-1].confidence is None and per_frame[-1].timings_ms["stabilise"] == 0.0
    last = stabilised[-1]
    assert last.confidence.shape == last.depth.shape and last.confidence.dtype == np.float32
    assert 0.0 <= last.confidence.min() and last.confidence.max() <= 1.0
    assert last.confidence[np.isfinite(last.depth)].mean() > stabilised[0].confidence.mean()
    assert set(last.timings_ms) == {"preprocess", "inference", "postprocess", "stabilise"}
    assert last.timings_ms["stabilise"] > 0.0


def test_fused_depth_keeps_the_lidar_scale_and_is_stabilised(scene, estimator):
    frames, depth, intrinsics = scene
    sparse = sparse_from_beams(depth * LIDAR_SCALE, 16)
    outputs = run(DepthChain(estimator), frames, intrinsics, sparse)
    fused = outputs[-1].fused
    assert fused.result.status.value == "fused"
    has_lidar = np.isfinite(sparse) & np.isfinite(fused.stream.depth)
    assert np.median(fused.stream.depth[has_lidar] / sparse[has_lidar]) == pytest.approx(1.0, abs=0.05)
    raw_ratio = np.nanmedian(outputs[-1].depth[has_lidar] / sparse[has_lidar])
    assert raw_ratio < 0.9, "the raw prediction is off the LiDAR scale, so the fusion did the work"
    assert fused.stream.confidence is not None and fused.stream.confidence.max() <= 1.0
    assert {"fusion", "fused_stabilise"} <= set(outputs[-1].timings_ms)


def test_a_camera_change_resets_the_stabiliser(scene, estimator):
    frames, _, intrinsics = scene
    chain = DepthChain(estimator)
    run(chain, frames[:3], intrinsics)
    zoomed = Intrinsics(intrinsics.fx * 1.2, intrinsics.fy * 1.2, intrinsics.cx, intrinsics.cy, intrinsics.width,
                        intrinsics.height)
    changed = chain.process(frames[3], zoomed, 3 * FRAME_S)
    assert changed.reset_reason is not None and "intrinsics" in changed.reset_reason
    assert chain.process(frames[4], zoomed, 4 * FRAME_S).reset_reason is None
