"""monodepth-video's volumetric and sound outputs on a video made here: a cloud per frame at the depth and the
intrinsics, meshes without faces across depth edges, frames.json with the stamps, a sonification WAV muxed into
depth.mp4, and one-line errors."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from monodepth_ros.core.camera.calibration import calibration_from_fov
from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle
from monodepth_ros.core.pointcloud.volumetric.ply import read_ply
from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter, audio_stream_count, read_audio
from monodepth_ros.tools.video import DEFAULT_FOV_DEG, main

FRAMES, FPS = 5, 10.0
WIDTH, HEIGHT = 96, 64


@pytest.fixture
def clip(tmp_path):
    rgb, _, _ = load_middlebury_motorcycle()
    rgb = cv2.resize(rgb, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    path = tmp_path / "clip.mp4"
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT) as writer:
        for index in range(FRAMES):
            writer.write(np.roll(rgb, index, axis=1))
    return path


def test_clouds_and_meshes_per_frame_in_metres_with_the_frame_list(tmp_path, clip):
    out, volumetric = tmp_path / "out", tmp_path / "volumetric"
    assert main([str(clip), "--out", str(out), "--export-clouds", str(volumetric), "--export-mesh", "--quiet"]) == 0
    depth = np.load(out / "depth.npz")["depth"]
    index = json.loads((volumetric / "frames.json").read_text())
    assert [frame["index"] for frame in index["frames"]] == list(range(FRAMES))
    np.testing.assert_allclose([frame["stamp_s"] for frame in index["frames"]], np.arange(FRAMES) / FPS, atol=1e-3)
    intrinsics = calibration_from_fov(WIDTH, HEIGHT, DEFAULT_FOV_DEG).intrinsics_for(WIDTH, HEIGHT)
    for frame, entry in zip(depth, index["frames"]):
        xyz, colours, _ = read_ply(volumetric / entry["cloud"])
        rows, columns = np.nonzero(np.isfinite(frame) & (frame > 0.0))
        assert len(xyz) == entry["points"] == len(rows) and colours.dtype == np.uint8
        z = frame[rows, columns]
        np.testing.assert_allclose(xyz, np.stack([(columns - intrinsics.cx) / intrinsics.fx * z,
                                                  (rows - intrinsics.cy) / intrinsics.fy * z, z], 1), rtol=1e-5)
        vertices, _, faces = read_ply(volumetric / entry["mesh"])
        assert len(faces) == entry["faces"] > 0 and len(vertices) == len(xyz)
        corners = vertices[faces, 2]
        assert np.all(corners.max(axis=1) - corners.min(axis=1) <= 0.05 * corners.min(axis=1) + 1e-6)
    assert json.loads((out / "summary.json").read_text())["ms_per_stage"]["export"] > 0.0


def test_sonify_writes_a_wav_as_long_as_the_video_and_muxes_it(tmp_path, clip):
    out, wav = tmp_path / "out", tmp_path / "obstacles.wav"
    assert main([str(clip), "--out", str(out), "--sonify", str(wav), "--quiet"]) == 0
    samples = read_audio(wav, 22050)
    assert len(samples) == pytest.approx(FRAMES / FPS * 22050, abs=2)
    assert np.sqrt((samples ** 2).mean()) > 0.01, "the Motorcycle scene (2-5 m) has obstacles within 4 m"
    assert audio_stream_count(out / "depth.mp4") == 1
    with VideoFileReader(out / "depth.mp4") as reader:
        assert sum(1 for _ in reader.frames()) == FRAMES


@pytest.mark.parametrize("arguments, reason", [(["--export-mesh"], "--export-mesh needs --export-clouds"),
                                               (["--sonify", "sound.mp3"], "writes a .wav file")])
def test_bad_export_options_end_with_one_line(tmp_path, clip, capsys, arguments, reason):
    assert main([str(clip), "--out", str(tmp_path / "out"), "--quiet", *arguments]) == 1
    err = capsys.readouterr().err.strip()
    assert reason in err and len(err.splitlines()) == 1
