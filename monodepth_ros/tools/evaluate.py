"""Evaluate a depth model against ground truth with the same core code the ROS node runs.

Usage: python -m monodepth_ros.tools.evaluate DATA.npz --out PRED.npz [--backend ...] [--model ...]
                                               [--lidar-beams N] [--no-temporal] ...

DATA.npz is described in monodepth_ros.core.eval.datasets. PRED.npz gets ``depth`` float32 (N, H, W) in metres at
the input resolution, NaN where there is no prediction. Metric models are written as predicted
("alignment": "none"). Relative models are aligned per frame to the ground truth by least squares scale and
shift in inverse depth ("alignment": "scale_shift_inverse_depth_per_frame"); a frame without ground truth
cannot be aligned and is written as NaN.

With LiDAR depth, the ``sparse`` array of DATA.npz or, when DATA.npz has none, ``--lidar-beams N`` beams
simulated from the ground truth (monodepth_ros.core.eval.sparse_sampling.sparse_from_beams), the raw predictions are
also fused with it by monodepth_ros.core.fusion.scale_fusion (one ScaleFusion for all frames, in order, as a sequence)
and PRED.npz gets ``fused`` float32 (N, H, W) metres. Fused depth is metric for relative models too: it is not
aligned to the ground truth.

The frames are one sequence in order: by default the predictions pass through the temporal stabiliser
(monodepth_ros.core.temporal, as depth_node runs it; stamps from DATA.npz ``stamps``, else 1/30 s apart) before
the metrics, and the fused depth is fused from the stabilised predictions and stabilised again (as
lidar_fusion_node runs it: fusion, then the stabiliser on its metric output). ``--no-temporal`` evaluates every
frame on its own (the per-frame baseline). PRED.npz then also gets ``confidence`` (and ``fused_confidence``)
float32 (N, H, W) in 0..1.

Prints one JSON line: abs_rel, rmse (metres) and delta1 over the valid pixels of all frames pooled (see
monodepth_ros.core.eval.metrics), and latency_ms_mean, the mean wall time of DepthEstimator.predict per frame after
one warm-up call. With LiDAR it adds fused_abs_rel, fused_rmse, fused_delta1 (the same metrics of the fused
depth), global_scale_abs_rel (abs_rel of ``depth`` scaled per frame by median(ground truth / depth), the best
a single global scale per frame can do), fused_frames (frames whose fusion status is 'fused'),
fusion_ms_mean and lidar ("sparse" or "simulated_N_beams"). Temporal keys (monodepth_ros.core.eval.temporal_metrics):
temporal (whether the stabiliser ran), with DATA.npz ``poses`` tae (and fused_tae), TAE x 100 as Video Depth
Anything's benchmark computes it, without poses flicker (and fused_flicker); with DATA.npz ``moving``
moving_abs_rel (and fused_moving_abs_rel), abs_rel over the pixels of moving objects; with the stabiliser
stabiliser_ms_median (per frame and stream) and stabiliser_resets (resets of the raw stream). Metrics without
any valid pixel are null.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.eval.datasets import EvalData, load_eval_npz
from monodepth_ros.core.eval.metrics import align_scale_shift_inverse, depth_metrics
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.eval.temporal_metrics import flicker, tae
from monodepth_ros.core.fusion.scale_fusion import FusionStatus, ScaleFusion
from monodepth_ros.core.temporal.frames import stabilise_frames
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

ALIGNMENT_NONE = "none"
ALIGNMENT_RELATIVE = "scale_shift_inverse_depth_per_frame"
DEFAULT_FRAME_S = 1.0 / 30.0
"""Frame spacing assumed by the stabiliser when DATA.npz has no stamps."""


def evaluate(data_path: str | Path, out_path: str | Path, spec: ModelSpec, lidar_beams: int = 0,
             temporal: bool = True) -> dict:
    """Predict every frame of ``data_path``, write PRED.npz to ``out_path`` and return the summary.

    The summary holds frames, frames_with_gt, valid_pixels, abs_rel, rmse, delta1 (NaN without valid pixels),
    latency_ms_mean, model, device, kind, output, alignment and the temporal keys; with LiDAR (DATA.npz
    ``sparse``, else ``lidar_beams`` > 0 simulated beams) also the fusion keys described in the module docstring.
    ``temporal`` runs the stabiliser over the sequence (module docstring).
    """
    data = load_eval_npz(data_path)
    estimator = DepthEstimator(spec)
    predictions, latencies_ms = predict_frames(estimator, data)
    relative = estimator.kind is not DepthKind.METRIC
    arrays, summary = {}, {"temporal": temporal}
    if temporal:
        stabilised = stabilise_frames(data.rgb, predictions, data_intrinsics(data), sequence_stamps(data),
                                      relative_inverse=relative)
        predictions = stabilised.depth
        arrays["confidence"] = stabilised.confidence
        summary.update(stabiliser_ms_median=float(np.median(stabilised.milliseconds)),
                       stabiliser_resets=len(stabilised.resets))
    depth_m = metric_depth(predictions, estimator.kind, data.depth)
    arrays["depth"] = depth_m
    summary.update({
        "frames": data.frames,
        "frames_with_gt": int(np.isfinite(data.depth).any(axis=(1, 2)).sum()),
        **depth_metrics(depth_m, data.depth),
        **temporal_summary(depth_m, data, ""),
        "latency_ms_mean": float(np.mean(latencies_ms)),
        "model": estimator.description,
        "device": estimator.device,
        "kind": estimator.kind.value,
        "output": estimator.output.value,
        "alignment": ALIGNMENT_NONE if estimator.kind is DepthKind.METRIC else ALIGNMENT_RELATIVE,
    })
    sparse, lidar_source = lidar_depth(data, lidar_beams)
    if sparse is not None:
        fused, statuses, fusion_ms = fuse_frames(predictions, estimator.kind, sparse)
        if temporal:
            stabilised_fused = stabilise_frames(data.rgb, fused, data_intrinsics(data), sequence_stamps(data))
            fused = stabilised_fused.depth
            arrays["fused_confidence"] = stabilised_fused.confidence
            summary["fused_stabiliser_ms_median"] = float(np.median(stabilised_fused.milliseconds))
        arrays["fused"] = fused
        fused_metrics = depth_metrics(fused, data.depth)
        summary.update({
            "fused_abs_rel": fused_metrics["abs_rel"],
            "fused_rmse": fused_metrics["rmse"],
            "fused_delta1": fused_metrics["delta1"],
            **temporal_summary(fused, data, "fused_"),
            "global_scale_abs_rel": depth_metrics(global_scale_depth(depth_m, data.depth), data.depth)["abs_rel"],
            "fused_frames": sum(status is FusionStatus.FUSED for status in statuses),
            "fusion_ms_mean": float(np.mean(fusion_ms)),
            "lidar": lidar_source,
        })
    with open(out_path, "wb") as stream:
        np.savez_compressed(stream, **arrays)
    return summary


def data_intrinsics(data: EvalData) -> Intrinsics:
    height, width = data.rgb.shape[1:3]
    return Intrinsics.from_matrix(data.K, width, height)


def sequence_stamps(data: EvalData) -> np.ndarray:
    """float64 (N,) seconds: DATA.npz ``stamps``, else DEFAULT_FRAME_S apart."""
    return data.stamps if data.stamps is not None else np.arange(data.frames) * DEFAULT_FRAME_S


def temporal_summary(depth_m: np.ndarray, data: EvalData, prefix: str) -> dict:
    """tae (with poses) or flicker (without), and moving_abs_rel (with moving pixels), keys with ``prefix``."""
    summary = ({f"{prefix}tae": tae(depth_m, data.poses, data.K)} if data.poses is not None
               else {f"{prefix}flicker": flicker(depth_m, data.depth)})
    if data.moving is not None:
        moving_gt = np.where(data.moving, data.depth, np.float32(np.nan))
        summary[f"{prefix}moving_abs_rel"] = depth_metrics(depth_m, moving_gt)["abs_rel"]
    return summary


def predict_frames(estimator: DepthEstimator, data: EvalData) -> tuple[np.ndarray, list[float]]:
    """Raw predictions float32 (N, H, W) (estimator.kind decides their meaning) and predict wall times in ms."""
    intrinsics = data_intrinsics(data)
    estimator.predict(data.rgb[0], intrinsics)
    predictions = np.empty(data.depth.shape, dtype=np.float32)
    latencies_ms = []
    for index, rgb in enumerate(data.rgb):
        start = time.perf_counter()
        predictions[index] = estimator.predict(rgb, intrinsics).values
        latencies_ms.append((time.perf_counter() - start) * 1e3)
    return predictions, latencies_ms


def metric_depth(predictions: np.ndarray, kind: DepthKind, gt_depth: np.ndarray) -> np.ndarray:
    """Depth in metres float32 (N, H, W): metric predictions as they are, relative ones aligned per frame.

    Relative predictions are aligned to each frame's ground truth; frames that cannot be aligned are NaN.
    """
    if kind is DepthKind.METRIC:
        return predictions
    depth_m = np.full(predictions.shape, np.nan, dtype=np.float32)
    for index, (prediction, gt) in enumerate(zip(predictions, gt_depth)):
        if np.count_nonzero(np.isfinite(gt) & np.isfinite(prediction)) >= 2:
            depth_m[index] = align_scale_shift_inverse(prediction, gt)
    return depth_m


def lidar_depth(data: EvalData, lidar_beams: int) -> tuple[np.ndarray | None, str]:
    """Sparse LiDAR depth float32 (N, H, W) metres (NaN: no return) and where it came from; (None, "") without."""
    if data.sparse is not None:
        return data.sparse, "sparse"
    if lidar_beams > 0:
        simulated = np.stack([sparse_from_beams(gt, lidar_beams) for gt in data.depth])
        return simulated, f"simulated_{lidar_beams}_beams"
    return None, ""


def fuse_frames(predictions: np.ndarray, kind: DepthKind,
                sparse: np.ndarray) -> tuple[np.ndarray, list[FusionStatus], list[float]]:
    """Fused depth float32 (N, H, W) metres, the fusion status and the fuse wall time in ms of every frame."""
    fusion = ScaleFusion()
    fused = np.empty(predictions.shape, dtype=np.float32)
    statuses, fusion_ms = [], []
    for index, (prediction, lidar) in enumerate(zip(predictions, sparse)):
        start = time.perf_counter()
        result = fusion.fuse(prediction, kind, lidar)
        fusion_ms.append((time.perf_counter() - start) * 1e3)
        fused[index] = result.depth
        statuses.append(result.status)
    return fused, statuses, fusion_ms


def global_scale_depth(depth_m: np.ndarray, gt_depth: np.ndarray) -> np.ndarray:
    """``depth_m`` (N, H, W) metres with each frame scaled by median(gt / depth) over its valid pixels."""
    scaled = depth_m.copy()
    for index, (depth, gt) in enumerate(zip(depth_m, gt_depth)):
        with np.errstate(invalid="ignore"):
            valid = np.isfinite(depth) & np.isfinite(gt) & (depth > 0.0) & (gt > 0.0)
        if valid.any():
            scaled[index] *= np.float32(np.median(gt[valid] / depth[valid]))
    return scaled


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m monodepth_ros.tools.evaluate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="DATA.npz with rgb, depth (metres) and K")
    parser.add_argument("--out", type=Path, required=True,
                        help="PRED.npz to write (depth, and fused with LiDAR: float32 (N, H, W) m)")
    add_model_arguments(parser)
    parser.add_argument("--lidar-beams", type=_positive_int, default=0, metavar="N",
                        help="when DATA.npz has no sparse LiDAR depth, simulate N beams from the ground truth "
                             "and evaluate LiDAR scale fusion too")
    parser.add_argument("--no-temporal", dest="temporal", action="store_false",
                        help="evaluate every frame on its own, without the temporal stabiliser (per-frame baseline)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        summary = evaluate(args.data, args.out, model_spec_from_arguments(args), lidar_beams=args.lidar_beams,
                           temporal=args.temporal)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps({key: _json_value(value) for key, value in summary.items()}))
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got '{text}'")
    return value


def _json_value(value):
    """NaN becomes null so the line stays valid JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value


if __name__ == "__main__":
    sys.exit(main())
