"""Pieces the benchmark scripts share: model options, test frames, statistics formatting."""
from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle

SIZES = ((640, 480), (1280, 720))
"""Default input sizes (width, height)."""


def parse_size(text: str) -> tuple[int, int]:
    """'640x480' -> (640, 480)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if width <= 0 or height <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return width, height


def device_label(device: str, fp16: bool) -> str:
    return f"{device} (fp16 requested)" if fp16 else device


def test_frame(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """The Middlebury Motorcycle view resized to ``width`` x ``height``: uint8 RGB and its 3x3 K."""
    rgb, _, k = load_middlebury_motorcycle()
    scale_x, scale_y = width / rgb.shape[1], height / rgb.shape[0]
    resized = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    scaled_k = np.diag([scale_x, scale_y, 1.0]) @ k
    return np.ascontiguousarray(resized), scaled_k


def wall_and_cpu_ms(run, runs: int, warmup: int) -> tuple[np.ndarray, np.ndarray]:
    """Wall and process CPU time (all threads) per call of ``run``, ms, after ``warmup`` calls."""
    for _ in range(warmup):
        run()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1e3)
        cpu.append((time.process_time() - started_cpu) * 1e3)
    return np.array(wall), np.array(cpu)


def percentile_cell(values_ms) -> str:
    """'median (p90)' in milliseconds, or 'n/a' without values."""
    values = np.asarray(values_ms, dtype=np.float64)
    if values.size == 0:
        return "n/a"
    return f"{np.median(values):.2f} ({np.percentile(values, 90):.2f})"


def timing_table(label_header: str, stages: tuple[str, ...], rows: list[tuple[object, dict[str, np.ndarray]]]
                 ) -> str:
    """Markdown table: one row per (label, {stage: timings in ms}), cells "median (p90)"."""
    lines = [f"| {label_header} | " + " | ".join(stages) + " |", "|---|" + "---:|" * len(stages)]
    for label, timings in rows:
        lines.append(f"| {label} | " + " | ".join(percentile_cell(timings[stage]) for stage in stages) + " |")
    return "\n".join(lines)
