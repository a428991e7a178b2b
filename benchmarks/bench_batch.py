"""monodepth-batch throughput on this machine: the same videos with a local Ray instance of 1 and of 2 workers
(one run, Ray restarted between), and the cost and accuracy of chunking one long video.

Writes ``--videos`` videos of ``--frames`` frames (a panning crop of the Middlebury motorcycle, WIDTHxHEIGHT) once,
then runs them with ``--workers`` 1 and 2 into fresh output folders (``--runs`` times each). Prints Markdown tables:
wall seconds and frames/s (median over the runs) per worker count, and for one video cut into chunks of
``--chunk-frames`` with ``--overlap-frames`` warm-up frames: the frames decoded and run through the model (overlap
cost) and the median relative difference of the depth from a single pass.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import ray
from bench_common import parse_size

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.tools import video as video_tool
from monodepth_ros.tools.batch.cli import run_batch
from monodepth_ros.tools.batch.work import model_options, plan_jobs


def write_video(path: Path, frames: int, size: tuple[int, int], seed: int) -> None:
    width, height = size
    rgb, _, _ = load_middlebury_motorcycle()
    rgb = cv2.resize(rgb, (width + frames, height), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(seed)
    with VideoFileWriter(path, 10.0, width, height) as writer:
        for index in range(frames):
            crop = rgb[:, index:index + width]
            writer.write(np.clip(crop + rng.normal(0.0, 3.0, crop.shape), 0, 255).astype(np.uint8))


def timed_batch(videos: list[Path], out: Path, spec: dict, chunk_frames: int = 0, overlap: int = 8):
    jobs = plan_jobs(videos, out, "video", chunk_frames, overlap)
    started = time.perf_counter()
    results = run_batch(jobs, spec, progress=False)
    seconds = time.perf_counter() - started
    assert all(result.status == "done" for result in results), [result.reason for result in results]
    return seconds, sum(result.frames for result in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=4, help="videos (default 4)")
    parser.add_argument("--frames", type=int, default=40, help="frames per video (default 40)")
    parser.add_argument("--size", type=parse_size, default=(320, 240), help="WIDTHxHEIGHT (default 320x240)")
    parser.add_argument("--runs", type=int, default=1, help="runs per worker count (default 1)")
    parser.add_argument("--chunk-frames", type=int, default=10, help="chunk length of the chunking test")
    parser.add_argument("--overlap-frames", type=int, default=8, help="warm-up frames of each chunk")
    args = parser.parse_args()
    spec = model_options(video_tool.build_parser().parse_args(["x", "--out", "y"]))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        videos = [root / f"video{index}.mp4" for index in range(args.videos)]
        for index, path in enumerate(videos):
            write_video(path, args.frames, args.size, index)
        print(f"{args.videos} videos x {args.frames} frames, {args.size[0]}x{args.size[1]}, FastDepth on CPU\n")
        print("| workers | wall s | frames/s | speed-up |\n| --- | --- | --- | --- |")
        base = None
        for workers in (1, 2):
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            timed_batch(videos[:1], root / f"warm{workers}", spec)  # worker start-up and model load
            runs = [timed_batch(videos, root / f"w{workers}_{run}", spec) for run in range(args.runs)]
            ray.shutdown()
            seconds = statistics.median(run[0] for run in runs)
            fps = runs[0][1] / seconds
            base = base or fps
            print(f"| {workers} | {seconds:.2f} | {fps:.2f} | {fps / base:.2f} |")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        single_s, _ = timed_batch(videos[:1], root / "single", spec)
        chunked_s, _ = timed_batch(videos[:1], root / "chunked", spec, args.chunk_frames, args.overlap_frames)
        ray.shutdown()
        single = np.load(root / "single" / "video0" / "depth.npz")["depth"]
        chunked = np.load(root / "chunked" / "video0" / "depth.npz")["depth"]
        both = np.isfinite(single) & np.isfinite(chunked)
        relative = np.abs(chunked - single)[both] / single[both]
        chunks = -(-args.frames // args.chunk_frames)
        through_model = args.frames + (chunks - 1) * args.overlap_frames
        print(f"\n| one video of {args.frames} frames | wall s (2 workers) | frames through the model | "
              "median / p99 relative difference from one pass |\n| --- | --- | --- | --- |")
        print(f"| one pass | {single_s:.2f} | {args.frames} | - |")
        print(f"| {chunks} chunks of {args.chunk_frames}, {args.overlap_frames} overlap | {chunked_s:.2f} | "
              f"{through_model} | {np.median(relative):.4f} / {np.percentile(relative, 99):.4f} |")


if __name__ == "__main__":
    main()
