"""monodepth-effects end to end on files: photos and videos in, pictures and videos with sound out, beats in the
trace at the frames of the clicks, and one-line errors."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from monodepth_ros.core.sources.video_file import (VideoFileReader, VideoFileWriter, audio_stream_count,
                                                   write_wav)
from monodepth_ros.testing.effect_scenes import click_track
from monodepth_ros.tools.effects import main

WIDTH, HEIGHT, FPS = 96, 64, 30.0
SUBJECT = (slice(16, 48), slice(32, 64))
AUDIO_RATE = 22050


def photo_and_depth() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    rgb = np.repeat(np.repeat(rng.integers(0, 256, (HEIGHT // 4, WIDTH // 4, 3)), 4, 0), 4, 1).astype(np.uint8)
    rgb[SUBJECT] = [220, 60, 40]
    depth = np.full((HEIGHT, WIDTH), 8.0, np.float32)
    depth[SUBJECT] = 1.2
    return rgb, depth


@pytest.fixture
def photo(tmp_path):
    rgb, depth = photo_and_depth()
    cv2.imwrite(str(tmp_path / "photo.png"), rgb[:, :, ::-1])
    np.save(tmp_path / "depth.npy", depth)
    return tmp_path / "photo.png", tmp_path / "depth.npy", rgb


def run(capsys, *arguments) -> tuple[int, str]:
    code = main([str(argument) for argument in arguments] + ["--quiet"])
    return code, capsys.readouterr().err


def test_still_bokeh_keeps_the_subject_and_blurs_the_background(photo, tmp_path, capsys):
    image, depth, rgb = photo
    out = tmp_path / "bokeh.png"
    code, err = run(capsys, image, "--effect", "bokeh", "--out", out, "--depth", depth, "--focus-m", 1.2,
                    "--max-blur-px", 12)
    assert code == 0, err
    result = cv2.imread(str(out))[:, :, ::-1]
    np.testing.assert_array_equal(result[SUBJECT], rgb[SUBJECT])
    assert np.abs(result[:10].astype(int) - rgb[:10]).mean() > 10.0
    millimetres = tmp_path / "depth_mm.png"
    cv2.imwrite(str(millimetres), np.round(np.load(depth) * 1000).astype(np.uint16))
    code, err = run(capsys, image, "--effect", "fog", "--out", tmp_path / "fog.jpg", "--depth", millimetres,
                    "--fx", 80, "--density", 0.3)
    assert code == 0, err
    fogged = cv2.imread(str(tmp_path / "fog.jpg"))[:, :, ::-1].astype(int)
    assert np.abs(fogged[:10] - [200, 205, 215]).mean() < 12, "the far background is lost in fog"


def make_video(tmp_path, seconds: float = 3.0) -> tuple[object, np.ndarray]:
    """A video with a click track at 120 BPM as its sound, and depth.npz (depth + stamps) for it."""
    samples, clicks = click_track(120.0, seconds + 0.5, AUDIO_RATE, first_beat_s=0.25)
    wav = tmp_path / "clicks.wav"
    write_wav(wav, samples, AUDIO_RATE)
    rgb, depth = photo_and_depth()
    path = tmp_path / "clip.mp4"
    frames = int(seconds * FPS)
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT, audio_from=wav) as writer:
        for index in range(frames):
            writer.write(np.roll(rgb, index, axis=1))
    np.savez(tmp_path / "depth.npz", depth=np.repeat(depth[None], frames, axis=0),
             stamps=np.arange(frames) / FPS)
    return path, clicks[clicks < seconds - 0.1]


def test_video_focus_pull_follows_the_beats_and_keeps_the_sound(tmp_path, capsys):
    video, clicks = make_video(tmp_path)
    out, trace = tmp_path / "pulled.mp4", tmp_path / "trace.jsonl"
    code, err = run(capsys, video, "--effect", "bokeh", "--out", out, "--depth", tmp_path / "depth.npz",
                    "--beat-sync", "focus-pull", "--beat-decay-s", 0.1, "--max-blur-px", 10, "--trace", trace)
    assert code == 0, err
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [record["frame"] for record in records] == list(range(90))
    times = np.array([record["t"] for record in records])
    beat = np.array([record["beat"] for record in records])
    focus = np.array([record["params"]["focus_m"] for record in records])
    attacks = np.flatnonzero(np.diff(beat, prepend=0.0) > 0.5)
    nearest = np.abs(clicks[:, None] - times[attacks][None, :]).min(axis=1)
    assert np.mean(nearest <= 1.0 / FPS) >= 0.95, "an attack within one frame of each click"
    assert len(attacks) <= len(clicks) + 1
    assert (focus[attacks] > focus[attacks - 1] + 1.0).all(), "focus jumps towards the background at each beat"
    assert focus[attacks[0] - 1] == pytest.approx(1.2, rel=0.05), "between beats it rests on the subject"
    assert audio_stream_count(out) == 1
    with VideoFileReader(out) as reader:
        assert sum(1 for _ in reader.frames()) == 90


def test_parallax_photo_becomes_a_video_with_the_audio_track(photo, tmp_path, capsys):
    image, depth, _ = photo
    samples, _ = click_track(100.0, 1.5, AUDIO_RATE)
    wav = tmp_path / "music.wav"
    write_wav(wav, samples, AUDIO_RATE)
    out = tmp_path / "parallax.mp4"
    code, err = run(capsys, image, "--effect", "parallax", "--out", out, "--depth", depth, "--audio", wav,
                    "--beat-sync", "parallax-punch", "--path", "circle", "--amplitude-px", 6)
    assert code == 0, err
    assert audio_stream_count(out) == 1
    with VideoFileReader(out) as reader:
        assert sum(1 for _ in reader.frames()) == pytest.approx(1.5 * FPS, abs=1), "as long as the music"


def test_depth_from_the_model_when_no_depth_is_given(photo, tmp_path, capsys):
    image, _, rgb = photo
    code, err = run(capsys, image, "--effect", "stereo", "--out", tmp_path / "sbs.png", "--stereo-format", "sbs")
    assert code == 0, err
    assert cv2.imread(str(tmp_path / "sbs.png")).shape == (HEIGHT, 2 * WIDTH, 3)


def test_bad_inputs_end_with_one_line(photo, tmp_path, capsys):
    image, depth, _ = photo
    garbage = tmp_path / "broken.png"
    garbage.write_bytes(b"no picture here" * 20)
    small = tmp_path / "small.npy"
    np.save(small, np.ones((10, 10), np.float32))
    cases = [((garbage, "--effect", "fog", "--out", tmp_path / "x.png", "--depth", depth), "cannot read"),
             ((image, "--effect", "fog", "--out", tmp_path / "x.png", "--depth", small),
              "depth in small.npy is 10x10 but the input is 96x64"),
             ((image, "--effect", "glow", "--out", tmp_path / "x.png"), "unknown effect 'glow'; choose one of"),
             ((image, "--effect", "fog", "--out", tmp_path / "x.png", "--f-number", 2),
              "--f-number does not apply to the fog effect"),
             ((image, "--effect", "fog", "--out", tmp_path / "x.mp4", "--depth", depth, "--beat-sync", "fog-pulse"),
              "--beat-sync needs sound"),
             ((image, "--effect", "isolate", "--out", tmp_path / "x.jpg", "--background", "transparent"),
              "needs a .png output")]
    for arguments, message in cases:
        code, err = run(capsys, *arguments)
        assert code == 1, arguments
        assert err.startswith("monodepth-effects: error: ") and message in err and err.count("\n") == 1, err
