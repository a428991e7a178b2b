"""Evaluate a depth model against ground truth with the same core code the ROS node runs.

Usage: python -m monodepth_ros.tools.evaluate DATA.npz --out PRED.npz [--backend ...] [--model ...] ...

DATA.npz is described in monodepth_ros.core.datasets. PRED.npz gets ``depth`` float32 (N, H, W) in metres at
the input resolution, NaN where there is no prediction. Metric models are written as predicted
("alignment": "none"). Relative models are aligned per frame to the ground truth by least squares scale and
shift in inverse depth ("alignment": "scale_shift_inverse_depth_per_frame"); a frame without ground truth
cannot be aligned and is written as NaN.

Prints one JSON line: abs_rel, rmse (metres) and delta1 over the valid pixels of all frames pooled (see
monodepth_ros.core.metrics), and latency_ms_mean, the mean wall time of DepthEstimator.predict per frame after
one warm-up call. Metrics without any valid pixel are null.
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

from monodepth_ros.core.datasets import EvalData, load_eval_npz
from monodepth_ros.core.device import validate_device
from monodepth_ros.core.estimator import DepthEstimator
from monodepth_ros.core.metrics import align_scale_shift_inverse, depth_metrics
from monodepth_ros.core.model_spec import BACKENDS, OUTPUT_CHOICES, ModelSpec
from monodepth_ros.core.types import DepthKind, Intrinsics

ALIGNMENT_NONE = "none"
ALIGNMENT_RELATIVE = "scale_shift_inverse_depth_per_frame"


def evaluate(data_path: str | Path, out_path: str | Path, spec: ModelSpec) -> dict:
    """Predict every frame of ``data_path``, write PRED.npz to ``out_path`` and return the summary.

    The summary holds frames, frames_with_gt, valid_pixels, abs_rel, rmse, delta1 (NaN without valid pixels),
    latency_ms_mean, model, device, kind, output and alignment.
    """
    data = load_eval_npz(data_path)
    estimator = DepthEstimator(spec)
    depth_m, latencies_ms = predict_metric_depth(estimator, data)
    with open(out_path, "wb") as stream:
        np.savez_compressed(stream, depth=depth_m)
    metrics = depth_metrics(depth_m, data.depth)
    return {
        "frames": data.frames,
        "frames_with_gt": int(np.isfinite(data.depth).any(axis=(1, 2)).sum()),
        **metrics,
        "latency_ms_mean": float(np.mean(latencies_ms)),
        "model": estimator.description,
        "device": estimator.device,
        "kind": estimator.kind.value,
        "output": estimator.output.value,
        "alignment": ALIGNMENT_NONE if estimator.kind is DepthKind.METRIC else ALIGNMENT_RELATIVE,
    }


def predict_metric_depth(estimator: DepthEstimator, data: EvalData) -> tuple[np.ndarray, list[float]]:
    """Depth in metres float32 (N, H, W) for every frame, and the predict wall time per frame in ms.

    Relative predictions are aligned to each frame's ground truth; frames that cannot be aligned are NaN.
    """
    height, width = data.rgb.shape[1:3]
    intrinsics = Intrinsics.from_matrix(data.K, width, height)
    estimator.predict(data.rgb[0], intrinsics)
    depth_m = np.full(data.depth.shape, np.nan, dtype=np.float32)
    latencies_ms = []
    for index, (rgb, gt) in enumerate(zip(data.rgb, data.depth)):
        start = time.perf_counter()
        prediction = estimator.predict(rgb, intrinsics)
        latencies_ms.append((time.perf_counter() - start) * 1e3)
        if prediction.is_metric:
            depth_m[index] = prediction.values
        elif np.count_nonzero(np.isfinite(gt) & np.isfinite(prediction.values)) >= 2:
            depth_m[index] = align_scale_shift_inverse(prediction.values, gt)
    return depth_m, latencies_ms


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m monodepth_ros.tools.evaluate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="DATA.npz with rgb, depth (metres) and K")
    parser.add_argument("--out", type=Path, required=True, help="PRED.npz to write (depth float32 (N, H, W) m)")
    parser.add_argument("--backend", choices=BACKENDS, default="fastdepth")
    parser.add_argument("--model", default="", help="ONNX file or Hugging Face model id/path")
    parser.add_argument("--output", choices=OUTPUT_CHOICES, default="auto",
                        help="what the model's raw output means; auto asks the backend")
    parser.add_argument("--device", type=_device, default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--fp16", action="store_true", help="half precision where the device supports it")
    parser.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"), default=(0, 0),
                        help="network input size in pixels; 0 0 keeps the model's own")
    parser.add_argument("--canonical-focal-px", type=float, default=0.0, metavar="F",
                        help="focal length (px) the metric model assumes; rescales depth by real/canonical")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        spec = ModelSpec(backend=args.backend, model=args.model, output=args.output, device=args.device,
                         fp16=args.fp16, input_size=tuple(args.input_size),
                         canonical_focal_px=args.canonical_focal_px)
        summary = evaluate(args.data, args.out, spec)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps({key: _json_value(value) for key, value in summary.items()}))
    return 0


def _device(text: str) -> str:
    error = validate_device(text)
    if error:
        raise argparse.ArgumentTypeError(error)
    return text


def _json_value(value):
    """NaN becomes null so the line stays valid JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value


if __name__ == "__main__":
    sys.exit(main())
