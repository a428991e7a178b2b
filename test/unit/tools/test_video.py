"""monodepth-video on short videos and image folders made here: the three outputs with N frames, clear errors."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams
from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter
from monodepth_ros.tools.video import main

FRAMES = 6
WIDTH, HEIGHT = 96, 64


@pytest.fixture(scope="module")
def scene():
    rgb, depth, _ = load_middlebury_motorcycle()
    rgb = cv2.resize(rgb, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    depth = cv2.resize(depth, (WIDTH, HEIGHT), interpolation=cv2.INTER_NEAREST)
    rng = np.random.default_rng(0)
    frames = [np.clip(rgb + rng.normal(0.0, 4.0, rgb.shape), 0, 255).astype(np.uint8) for _ in range(FRAMES)]
    return frames, depth


def test_a_video_gives_depth_video_arrays_and_summary_with_every_frame(tmp_path, scene, capsys):
    frames, _ = scene
    clip = tmp_path / "clip.mp4"
    with VideoFileWriter(clip, 10.0, WIDTH, HEIGHT) as writer:
        for rgb in frames:
            writer.write(rgb)
    out = tmp_path / "out"
    assert main([str(clip), "--out", str(out), "--quiet"]) == 0
    arrays = np.load(out / "depth.npz")
    assert arrays["depth"].shape == (FRAMES, HEIGHT, WIDTH) and arrays["depth"].dtype == np.float32
    np.testing.assert_allclose(arrays["stamps"], np.arange(FRAMES) / 10.0, atol=1e-3)
    assert 0.5 < np.nanmedian(arrays["depth"]) < 10.0, "metres from the metric default model"
    with VideoFileReader(out / "depth.mp4") as reader:
        coloured = list(reader.frames())
    assert len(coloured) == FRAMES and coloured[0][0].shape[1] > WIDTH, "the scale bar widens the frame"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frames"] == FRAMES and summary["temporal"] == "online" and summary["fps_in"] == pytest.approx(10)
    assert summary["fps_out"] > 0 and "fastdepth" in summary["model"]
    assert {"decode", "inference", "stabilise", "encode"} <= set(summary["ms_per_stage"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == summary


def test_an_image_folder_with_lidar_and_two_pass_smoothing_is_at_the_lidar_scale(tmp_path, scene):
    frames, depth = scene
    folder = tmp_path / "frames"
    folder.mkdir()
    for index, rgb in enumerate(frames):
        cv2.imwrite(str(folder / f"{index:04d}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    sparse = np.stack([sparse_from_beams(depth * 1.5, 16, column_step=2)] * FRAMES)
    np.savez(tmp_path / "lidar.npz", sparse=sparse)
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), "--lidar", str(tmp_path / "lidar.npz"), "--two-pass",
                 "--folder-fps", "5", "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["temporal"] == "two_pass" and summary["lidar"] and summary["frames"] == FRAMES
    assert {"fusion", "two_pass"} <= set(summary["ms_per_stage"])
    result = np.load(out / "depth.npz")
    np.testing.assert_allclose(result["stamps"], np.arange(FRAMES) / 5.0)
    has_lidar = np.isfinite(sparse[-1]) & np.isfinite(result["depth"][-1])
    assert np.median(result["depth"][-1][has_lidar] / sparse[-1][has_lidar]) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("problem, reason", [("missing", "file not found"), ("lidar_frames", "--lidar has 2 frames"),
                                             ("both", "not allowed with argument")])
def test_bad_input_ends_with_one_line(tmp_path, scene, capsys, problem, reason):
    frames, _ = scene
    clip = tmp_path / "clip.mp4"
    with VideoFileWriter(clip, 10.0, WIDTH, HEIGHT) as writer:
        for rgb in frames:
            writer.write(rgb)
    np.savez(tmp_path / "lidar.npz", sparse=np.full((2, HEIGHT, WIDTH), np.nan, np.float32))
    arguments = {"missing": [str(tmp_path / "nothing.mp4"), "--out", str(tmp_path / "o")],
                 "lidar_frames": [str(clip), "--out", str(tmp_path / "o"), "--lidar", str(tmp_path / "lidar.npz")],
                 "both": [str(clip), "--out", str(tmp_path / "o"), "--no-temporal", "--two-pass"]}[problem]
    if problem == "both":  # argparse: usage, then the one-line reason
        with pytest.raises(SystemExit):
            main(arguments + ["--quiet"])
    else:
        assert main(arguments + ["--quiet"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert reason in lines[-1] and "Traceback" not in "\n".join(lines)
    assert problem == "both" or [line for line in lines if "error" in line] == lines[-1:]
