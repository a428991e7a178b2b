"""Per-stage timings of the depth path, in this process, without DDS.

Stages: decode (sensor_msgs/Image -> RGB array), preprocess, inference, postprocess (as the estimator reports
them), range mask, and the publish-side conversion of the 32FC1 result back into a sensor_msgs/Image.
Prints a Markdown table of the median and p90 over ``--runs`` runs after ``--warmup`` runs.
"""
from __future__ import annotations

import argparse
import logging
import time

import numpy as np
from bench_common import SIZES, device_label, parse_size, test_frame, timing_table
from std_msgs.msg import Header

from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.postprocess import mask_outside_range
from monodepth_ros.ros.conversions.image import array_to_image, image_to_rgb
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

STAGES = ("decode", "preprocess", "inference", "postprocess", "mask", "to_image", "total")
MIN_DEPTH_M, MAX_DEPTH_M = 0.1, 20.0
"""depth_node's default range."""


def time_one_frame(estimator: DepthEstimator, message) -> dict[str, float]:
    """Milliseconds per stage for one frame, as depth_node runs them."""
    started = time.perf_counter()
    rgb = image_to_rgb(message)
    decoded = time.perf_counter()
    prediction = estimator.predict(rgb)
    predicted = time.perf_counter()
    if prediction.is_metric:
        mask_outside_range(prediction.values, MIN_DEPTH_M, MAX_DEPTH_M)
    masked = time.perf_counter()
    array_to_image(prediction.values, "32FC1", message.header)
    done = time.perf_counter()
    return {"decode": (decoded - started) * 1e3, **prediction.timings_ms, "mask": (masked - predicted) * 1e3,
            "to_image": (done - masked) * 1e3, "total": (done - started) * 1e3}


def time_size(estimator: DepthEstimator, width: int, height: int, runs: int, warmup: int
              ) -> dict[str, np.ndarray]:
    """Per-stage timings (ms) of ``runs`` frames of ``width`` x ``height`` rgb8, after ``warmup`` frames."""
    rgb, _ = test_frame(width, height)
    message = array_to_image(rgb, "rgb8", Header(frame_id="camera_optical_frame"))
    for _ in range(warmup):
        time_one_frame(estimator, message)
    samples = [time_one_frame(estimator, message) for _ in range(runs)]
    return {stage: np.array([sample[stage] for sample in samples]) for stage in STAGES}



def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_arguments(parser)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=list(SIZES),
                        help="input sizes WIDTHxHEIGHT (default: 640x480 1280x720)")
    parser.add_argument("--runs", type=int, default=100, help="timed runs per size (default: 100)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs per size first (default: 10)")
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    estimator = DepthEstimator(model_spec_from_arguments(arguments))
    rows = [(f"{width}x{height}", time_size(estimator, width, height, arguments.runs, arguments.warmup))
            for width, height in arguments.sizes]
    print(f"### Per-stage timings: {estimator.description} on {device_label(estimator.device, arguments.fp16)}")
    print(f"ms, median (p90) of {arguments.runs} runs after {arguments.warmup} warm-up runs; rgb8 input, "
          "32FC1 output\n")
    print(timing_table("input", STAGES, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
