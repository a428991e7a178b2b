"""Depth effects per frame at 640x480 (or --size) in this process, and beat tracking per minute of audio.

Input: the Middlebury Motorcycle photo with its ground-truth depth (2.1-5 m, holes filled), resized. Each row is
one effect with one setting, timed as `monodepth-effects` and depth_effects_node call it (the pure function on
a uint8 RGB frame and float32 depth). Prints a Markdown table of the median and p90 over ``--runs`` runs after
``--warmup`` runs, frames per second from the median, the median process CPU time (all threads; less sensitive
than wall time to other processes on a shared machine) and the targets (fog, stereo, isolate >= 30 fps; bokeh
>= 10 fps, from the wall time): PASS/FAIL, exit code 0 either way.
"""
from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from bench_common import parse_size, percentile_cell, wall_and_cpu_ms

from monodepth_ros.core.audio.beats import track_beats
from monodepth_ros.core.effects.registry import get_effect
from monodepth_ros.testing.effect_scenes import click_track, motorcycle_scene

CASES = (
    ("bokeh", "f/1.4 50 mm, auto focus (defaults)", {}, 10.0),
    ("bokeh", "f/1.2 85 mm, highlights x3", {"f_number": 1.2, "focal_length_mm": 85.0, "highlight_gain": 3.0},
     10.0),
    ("rack-focus", "f/1.4 50 mm, mid-rack", {"time_s": 1.2}, 10.0),
    ("fog", "exp (defaults)", {}, 30.0),
    ("fog", "linear", {"fog_mode": "linear"}, 30.0),
    ("stereo", "sbs, relative (defaults)", {}, 30.0),
    ("stereo", "right, metric 65 mm", {"stereo_format": "right", "stereo_mode": "metric"}, 30.0),
    ("stereo", "anaglyph", {"stereo_format": "anaglyph"}, 30.0),
    ("isolate", "auto, background blurred (defaults)", {}, 30.0),
    ("isolate", "range, colour background", {"subject": "range", "subject_far_m": 3.3, "background": "color"},
     30.0),
    ("isolate", "transparent", {"background": "transparent"}, 30.0),
    ("parallax", "circle 12 px", {"time_s": 1.0}, 0.0),
    ("ar-insert", "billboard 1 m at 3 m", {"object_position_m": (0.0, 0.0, 3.0), "object_size_m": (1.0, 1.0, 0.1)},
     0.0),
    ("ar-insert", "box 0.8 m at 3 m", {"object_shape": "box", "object_position_m": (0.0, 0.0, 3.0),
                                       "object_size_m": (0.8, 0.8, 0.8)}, 0.0),
    ("compress", "auto subject (defaults)", {}, 0.0),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=(640, 480), help="frame size WIDTHxHEIGHT (default: "
                        "640x480)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per effect (default: 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default: 3)")
    arguments = parser.parse_args()
    width, height = arguments.size
    rgb, depth, intrinsics = motorcycle_scene(width, height)
    print(f"### Depth effects per frame ({width}x{height}, CPU, this process)")
    print(f"ms, median (p90) of {arguments.runs} runs after {arguments.warmup} warm-up runs; Middlebury Motorcycle "
          "with ground-truth depth\n")
    print("| effect | setting | ms per frame | fps | CPU ms per frame | target |")
    print("|---|---|---:|---:|---:|---|")
    for name, setting, values, target_fps in CASES:
        effect = get_effect(name)
        params = dataclasses.replace(effect.defaults(), **values)
        timings, cpu = wall_and_cpu_ms(
            lambda effect=effect, params=params: effect.apply(rgb, depth, intrinsics, params),
            arguments.runs, arguments.warmup)
        fps = 1e3 / np.median(timings)
        verdict = (f">= {target_fps:g} fps: {'PASS' if fps >= target_fps else 'FAIL'}" if target_fps else "-")
        print(f"| {name} | {setting} | {percentile_cell(timings)} | {fps:.1f} | {np.median(cpu):.1f} | {verdict} |")
    samples, _ = click_track(120.0, 60.0)
    timings, _ = wall_and_cpu_ms(lambda: track_beats(samples), 3, 1)
    print(f"\nBeat tracking (numpy, one minute of 22.05 kHz audio): {percentile_cell(timings)} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
