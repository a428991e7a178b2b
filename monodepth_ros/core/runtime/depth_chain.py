"""What depth_node and lidar_fusion_node do to each frame, without ROS: estimator -> stabiliser -> (with sparse
LiDAR depth) scale fusion -> stabiliser, with the wall time of every stage.

The nodes hold the per-stream stages (``StabilisedStream`` in depth_node, ``FusedStream`` in lidar_fusion_node;
one per camera), the offline tools (monodepth-video, evaluate, monodepth-bag) one ``DepthChain`` per sequence.
Arrays are float32 (H, W), NaN invalid; rgb uint8 (H, W, 3); stamps in seconds; timings in milliseconds.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.postprocess import mask_outside_range
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.fusion.config import FusionConfig
from monodepth_ros.core.fusion.scale_fusion import FusionResult
from monodepth_ros.core.fusion.scale_source import ScaleSource
from monodepth_ros.core.temporal.config import StabiliserConfig
from monodepth_ros.core.temporal.stabiliser import TemporalStabiliser

DEPTH_RANGE_M = (0.1, 20.0)
"""Raw metric depth outside this (metres) is invalid: depth_node's min_depth_m / max_depth_m defaults."""
FUSED_RANGE_M = (0.1, 80.0)
"""Fused depth outside this (metres) is invalid: lidar_fusion_node's defaults."""


@dataclass(frozen=True)
class StreamDepth:
    """One frame of a stream after its stabiliser."""

    depth: np.ndarray
    """float32 (H, W): the input's meaning (metres or relative inverse depth), stabilised when the stream is."""
    confidence: np.ndarray | None
    """float32 (H, W) in 0..1 from the stabiliser (0 where invalid); None when the stream is not stabilised."""
    reset_reason: str | None
    """Why the stabiliser started afresh at this frame (camera_info, size or scene change, stamp jump)."""
    stabilise_ms: float


class StabilisedStream:
    """The temporal stabiliser of one camera stream; ``config`` None passes frames through unchanged.

    ``configure`` swaps in new settings (starting afresh only when they differ). A camera_info change resets the
    stabiliser (it compares the intrinsics of consecutive frames), as do scene cuts and stamp jumps.
    """

    def __init__(self, config: StabiliserConfig | None, relative_inverse: bool = False) -> None:
        self.relative_inverse = relative_inverse
        self.config: StabiliserConfig | None = None
        self._stabiliser: TemporalStabiliser | None = None
        self.configure(config)

    @property
    def enabled(self) -> bool:
        return self._stabiliser is not None

    def configure(self, config: StabiliserConfig | None) -> None:
        if config == self.config and (config is None) == (self._stabiliser is None):
            return
        self.config = config
        self._stabiliser = None if config is None else TemporalStabiliser(config, self.relative_inverse)

    def reset(self) -> None:
        if self._stabiliser is not None:
            self._stabiliser.reset()

    def update(self, rgb: np.ndarray, depth: np.ndarray, intrinsics: Intrinsics, stamp_s: float) -> StreamDepth:
        """Stabilise ``depth`` (H, W) of the image ``rgb`` (H, W, 3) taken at ``stamp_s`` seconds."""
        if self._stabiliser is None:
            return StreamDepth(depth, None, None, 0.0)
        start = time.perf_counter()
        stabilised = self._stabiliser.update(rgb, depth, intrinsics, stamp_s)
        return StreamDepth(stabilised.depth, stabilised.confidence, stabilised.reset_reason,
                           (time.perf_counter() - start) * 1e3)


@dataclass(frozen=True)
class FusedDepth:
    """One frame of lidar_fusion_node's work."""

    result: FusionResult
    """The scale fusion's result; ``result.depth`` is the fused depth before stabilisation."""
    stream: StreamDepth
    """The fused depth (metres, NaN outside the range) after the stabiliser, with its confidence."""
    fusion_ms: float


class FusedStream:
    """Scale fusion of one camera stream (LiDAR and/or the ground plane, ``scale_source`` as ScaleSource) followed
    by its stabiliser (the fixed metric scale is what the stabiliser tracks and keeps). Without ``rgb`` (no image to
    track) a frame passes the stabiliser unchanged."""

    def __init__(self, fusion: FusionConfig | None = None, stabiliser: StabiliserConfig | None = None,
                 depth_range_m: tuple[float, float] = FUSED_RANGE_M, scale_source: str = "lidar") -> None:
        self.fusion = ScaleSource(scale_source, fusion)
        self.stabilised = StabilisedStream(stabiliser)
        self.depth_range_m = depth_range_m

    def reset(self) -> None:
        self.fusion.reset()
        self.stabilised.reset()

    def update(self, prediction: np.ndarray, kind: DepthKind, sparse_depth: np.ndarray | None,
               rgb: np.ndarray | None, intrinsics: Intrinsics, stamp_s: float,
               base_from_camera: np.ndarray | None = None, pose_problem: str = "") -> FusedDepth:
        """Fuse ``prediction`` (H, W; metres or relative inverse depth, as ``kind``) with ``sparse_depth`` (H, W
        metres, NaN = no return; None without LiDAR) or the ground plane (``base_from_camera`` 4x4, None and
        ``pose_problem`` when unknown), then stabilise it along ``rgb`` (H, W, 3) when given; ``rgb`` also gives the
        ground plane the floor's appearance."""
        start = time.perf_counter()
        result = self.fusion.fuse(prediction, kind, sparse_depth, intrinsics, base_from_camera, stamp_s,
                                  pose_problem, rgb)
        mask_outside_range(result.depth, *self.depth_range_m)
        fusion_ms = (time.perf_counter() - start) * 1e3
        if rgb is None:
            stream = StreamDepth(result.depth, None, None, 0.0)
        else:
            stream = self.stabilised.update(rgb, result.depth, intrinsics, stamp_s)
        return FusedDepth(result, stream, fusion_ms)


@dataclass(frozen=True)
class DepthChainConfig:
    """Settings of the whole chain; ``temporal_consistency`` False runs it frame by frame (no stabiliser)."""

    temporal_consistency: bool = True
    stabiliser: StabiliserConfig = field(default_factory=StabiliserConfig)
    fusion: FusionConfig = field(default_factory=FusionConfig)
    depth_range_m: tuple[float, float] = DEPTH_RANGE_M
    """Metric predictions outside (min, max) metres are NaN (depth_node's min_depth_m, max_depth_m)."""
    fused_range_m: tuple[float, float] = FUSED_RANGE_M


@dataclass(frozen=True)
class ChainFrame:
    """Everything the chain made of one frame."""

    depth: np.ndarray
    """float32 (H, W), depth_node's output: metres (metric models) or relative inverse depth, stabilised."""
    confidence: np.ndarray | None
    """float32 (H, W) 0..1 of ``depth``; None without temporal consistency."""
    kind: DepthKind
    fused: FusedDepth | None
    """lidar_fusion_node's output when sparse depth was given: ``fused.stream.depth`` metres."""
    reset_reason: str | None
    timings_ms: dict[str, float]
    """preprocess, inference, postprocess, stabilise; with sparse depth also fusion and fused_stabilise."""


class DepthChain:
    """depth_node followed by lidar_fusion_node on one sequence of frames, in stamp order."""

    def __init__(self, estimator: DepthEstimator, config: DepthChainConfig | None = None) -> None:
        self.estimator = estimator
        self.config = config or DepthChainConfig()
        stabiliser = self.config.stabiliser if self.config.temporal_consistency else None
        self.raw = StabilisedStream(stabiliser, relative_inverse=estimator.kind is DepthKind.RELATIVE_INVERSE)
        self.fused = FusedStream(self.config.fusion, stabiliser, self.config.fused_range_m)

    @property
    def kind(self) -> DepthKind:
        return self.estimator.kind

    def reset(self) -> None:
        """Start a new sequence: forget the stabilisers' past and the fusion's smoothed scale."""
        self.raw.reset()
        self.fused.reset()

    def process(self, rgb: np.ndarray, intrinsics: Intrinsics, stamp_s: float,
                sparse_depth: np.ndarray | None = None) -> ChainFrame:
        """Run one frame: ``rgb`` uint8 (H, W, 3), its intrinsics, stamp (seconds, increasing), and optionally
        sparse LiDAR depth float32 (H, W) metres (NaN = no return) for the fusion stage."""
        prediction = self.estimator.predict(rgb, intrinsics, self.config.depth_range_m)
        timings = dict(prediction.timings_ms)
        raw = self.raw.update(rgb, prediction.values, intrinsics, stamp_s)
        timings["stabilise"] = raw.stabilise_ms
        fused = None
        if sparse_depth is not None:
            fused = self.fused.update(raw.depth, self.kind, sparse_depth, rgb, intrinsics, stamp_s)
            timings["fusion"] = fused.fusion_ms
            timings["fused_stabilise"] = fused.stream.stabilise_ms
        return ChainFrame(raw.depth, raw.confidence, self.kind, fused, raw.reset_reason, timings)
