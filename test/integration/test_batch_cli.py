"""monodepth-batch on a local Ray instance with 2 workers (one for the whole module: Ray starts slowly) over 2
short videos and a sim bag: the outputs of sequential monodepth-video / monodepth-bag runs (chunked video within
CHUNK_TOLERANCE), a rerun that does nothing, a corrupt input reported while the others finish, and a worker
killed mid-task retried."""
from __future__ import annotations

import os
import signal
import threading
import time

import cv2
import numpy as np
import pytest
import ray  # in requirements.txt: make setup installs it (pip install .[batch] elsewhere)

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sources.bag_file import BagReader
from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.ros.bags.messages import from_cdr
from monodepth_ros.ros.conversions.image import image_to_array
from monodepth_ros.tools import video as video_tool
from monodepth_ros.tools.bag.process import process_bag
from monodepth_ros.tools.bag.sim_bag import write_sim_bag
from monodepth_ros.tools.batch.cli import main, run_batch
from monodepth_ros.tools.batch.work import model_options, plan_jobs
from monodepth_ros.tools.model_arguments import model_spec_from_arguments

WIDTH, HEIGHT = 96, 64
CHUNK, OVERLAP = 6, 8
CHUNK_TOLERANCE = 0.01
"""Largest median |chunked - single pass| / single pass over the frames after a chunk boundary."""


def write_video(path, frames: int, seed: int) -> None:
    rgb, _, _ = load_middlebury_motorcycle()
    rgb = cv2.resize(rgb, (WIDTH + 40, HEIGHT), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(seed)
    with VideoFileWriter(path, 10.0, WIDTH, HEIGHT) as writer:
        for index in range(frames):  # a slow pan with sensor noise
            crop = rgb[:, 2 * index % 40:2 * index % 40 + WIDTH]
            writer.write(np.clip(crop + rng.normal(0.0, 3.0, crop.shape), 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    write_video(folder / "walk.mp4", 14, seed=0)
    write_video(folder / "turn.mp4", 5, seed=1)
    write_sim_bag(folder / "sim_bag", 4, SimSceneConfig(image_width=WIDTH, image_height=HEIGHT))
    return [folder / "walk.mp4", folder / "turn.mp4", folder / "sim_bag"]


def fused_depth(bag) -> np.ndarray:
    with BagReader(bag) as reader:
        topic = next(topic for topic in reader.topics if topic.endswith("/depth/fused"))
        return np.stack([image_to_array(from_cdr(message.data, message.msgtype))
                         for message in reader.messages([topic])])


def test_outputs_equal_sequential_runs_and_a_rerun_does_no_work(local_ray, inputs, tmp_path, capsys):
    out = tmp_path / "batch"
    options = ["--out", str(out), "--chunk-frames", str(CHUNK), "--overlap-frames", str(OVERLAP), "--no-progress"]
    assert main([str(path) for path in inputs] + options) == 0
    table = capsys.readouterr().out
    assert "3 files: 3 done, 0 skipped, 0 failed; 23 frames" in table, table

    for video in inputs[:2]:
        single = tmp_path / f"single_{video.stem}"
        assert video_tool.main([str(video), "--out", str(single), "--quiet"]) == 0
        expected, got = np.load(single / "depth.npz"), np.load(out / video.stem / "depth.npz")
        np.testing.assert_allclose(got["stamps"], expected["stamps"])
        both = np.isfinite(expected["depth"]) & np.isfinite(got["depth"])
        relative = np.abs(got["depth"] - expected["depth"])[both] / expected["depth"][both]
        assert np.median(relative) < CHUNK_TOLERANCE, f"{video.name}: median relative difference {np.median(relative)}"
        assert (out / video.stem / "depth.mp4").is_file() and (out / video.stem / "summary.json").is_file()
    spec = model_spec_from_arguments(video_tool.build_parser().parse_args(["x", "--out", "y"]))
    process_bag(inputs[2], tmp_path / "single_bag", spec)
    np.testing.assert_allclose(fused_depth(out / "sim_bag.bag"), fused_depth(tmp_path / "single_bag"), rtol=1e-4)
    assert sorted(path.name for path in out.iterdir()) == ["sim_bag.bag", "turn", "walk"], "no partial left"

    modified = {path: path.stat().st_mtime_ns for path in out.rglob("*")}
    started = time.perf_counter()
    assert main([str(path) for path in inputs] + options) == 0
    assert "3 files: 0 done, 3 skipped, 0 failed" in capsys.readouterr().out
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*")} == modified
    assert time.perf_counter() - started < 5.0, "a rerun loads no model"


def test_a_corrupt_input_is_reported_and_the_others_complete(local_ray, inputs, tmp_path, capsys):
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    out = tmp_path / "batch"
    assert main([str(corrupt), str(inputs[1]), "--out", str(out), "--retries", "1", "--no-progress"]) == 1
    table = capsys.readouterr().out
    line = next(line for line in table.splitlines() if line.startswith(str(corrupt)))
    assert " failed " in line and len(line.split("failed", 1)[1].strip()) > 5, table
    assert "2 files: 1 done, 0 skipped, 1 failed" in table
    assert (out / "turn" / "depth.npz").is_file() and not (out / "broken").exists()


def test_a_worker_killed_mid_task_is_retried(local_ray, inputs, tmp_path):
    jobs = plan_jobs([inputs[0]], tmp_path / "batch")
    spec = model_options(video_tool.build_parser().parse_args(["x", "--out", "y"]))
    results = []
    runner = threading.Thread(target=lambda: results.extend(run_batch(jobs, spec, retries=2, progress=False)))
    runner.start()
    chunks = tmp_path / "batch" / ".walk.chunks"
    deadline, killed = time.monotonic() + 60.0, None
    while killed is None and time.monotonic() < deadline:
        partials = list(chunks.glob(".all.npz.partial-*")) if chunks.is_dir() else []
        if partials:
            killed = int(partials[0].name.rsplit("-", 1)[1])
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.005)
    runner.join(120.0)
    assert killed is not None, "the task never started"
    assert results[0].status == "done" and results[0].frames == 14, results
    assert (tmp_path / "batch" / "walk" / "depth.npz").is_file()
