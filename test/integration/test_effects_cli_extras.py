"""monodepth-effects with the AR and compression effects on videos made here: an inserted object hidden by a near
box and carried along by a camera pan; a depth-aware re-encode smaller than the plain one."""
from __future__ import annotations

import cv2
import numpy as np

from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter
from monodepth_ros.tools.effects import main

WIDTH, HEIGHT, FPS, FX = 160, 120, 30.0, 100.0
FRAMES = 20
PAN_RAD_PER_FRAME = 0.01
BOX_COLUMNS = slice(0, 70)


def run(capsys, *arguments) -> tuple[int, str]:
    code = main([str(argument) for argument in arguments] + ["--quiet"])
    return code, capsys.readouterr().err


def panning_video(tmp_path) -> tuple[object, object, list[np.ndarray]]:
    """A camera turning about its vertical axis before a far textured wall (5 m) with a near box (1 m) on the left of every frame."""
    rng = np.random.default_rng(5)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT, WIDTH, 3)).astype(np.uint8), (0, 0), 2.0)
    k = np.array([[FX, 0.0, (WIDTH - 1) / 2.0], [0.0, FX, (HEIGHT - 1) / 2.0], [0.0, 0.0, 1.0]])
    frames = []
    for index in range(FRAMES):
        rotation, _ = cv2.Rodrigues(np.array([0.0, PAN_RAD_PER_FRAME * index, 0.0]))
        frames.append(cv2.warpPerspective(texture, k @ rotation @ np.linalg.inv(k), (WIDTH, HEIGHT),
                                          borderMode=cv2.BORDER_REFLECT))
    path = tmp_path / "pan.mp4"
    with VideoFileWriter(path, FPS, WIDTH, HEIGHT) as writer:
        for frame in frames:
            writer.write(frame)
    depth = np.full((FRAMES, HEIGHT, WIDTH), 5.0, np.float32)
    depth[:, :, BOX_COLUMNS] = 1.0
    np.savez(tmp_path / "depth.npz", depth=depth, stamps=np.arange(FRAMES) / FPS)
    return path, tmp_path / "depth.npz", frames


def decoded(path) -> list[np.ndarray]:
    with VideoFileReader(path) as reader:
        return [rgb for rgb, _ in reader.frames()]


def test_ar_insert_hides_the_object_behind_the_box_and_keeps_it_in_place_while_the_camera_pans(tmp_path, capsys):
    video, depth, _ = panning_video(tmp_path)
    out = tmp_path / "ar.mp4"
    code, err = run(capsys, video, "--effect", "ar-insert", "--out", out, "--depth", depth, "--fx", FX,
                    "--object-position-m", 0.0, 0.0, 3.0, "--object-size-m", 0.9, 0.9, 0.1)
    assert code == 0, err
    before, after = decoded(video), decoded(out)
    assert len(after) == FRAMES
    centres = []
    for index in (0, FRAMES - 1):
        drawn = np.abs(after[index].astype(int) - before[index].astype(int)).max(axis=2) > 60
        assert drawn[:, BOX_COLUMNS.stop - 2:].sum() > 300, "the object shows in front of the wall"
        assert drawn[:, :BOX_COLUMNS.stop - 4].sum() < 10, "and is hidden behind the near box"
        centres.append(np.nonzero(drawn.any(axis=0))[0].max())
    # its right edge (x / z = 0.45 / 3) moves with the wall: fx * (tan(atan(0.15) + turn) - 0.15)
    turn = PAN_RAD_PER_FRAME * (FRAMES - 1)
    expected = FX * (np.tan(np.arctan(0.45 / 3.0) + turn) - 0.45 / 3.0)
    assert abs(centres[1] - centres[0] - expected) < 2.0


def test_compress_re_encodes_the_video_smaller_and_keeps_the_subject(tmp_path, capsys):
    rng = np.random.default_rng(6)
    detail = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT, WIDTH + FRAMES, 3)).astype(np.uint8), (0, 0), 0.8)
    frames = [np.ascontiguousarray(detail[:, index:index + WIDTH]) for index in range(FRAMES)]
    video = tmp_path / "detail.mp4"
    with VideoFileWriter(video, FPS, WIDTH, HEIGHT) as writer:
        for frame in frames:
            writer.write(frame)
    depth = np.full((FRAMES, HEIGHT, WIDTH), 6.0, np.float32)
    depth[:, 30:90, 50:110] = 1.5
    np.savez(tmp_path / "depth.npz", depth=depth, stamps=np.arange(FRAMES) / FPS)
    out = tmp_path / "compressed.mp4"
    code, err = run(capsys, video, "--effect", "compress", "--out", out, "--depth", tmp_path / "depth.npz")
    assert code == 0, err
    source = decoded(video)
    plain = tmp_path / "plain.mp4"  # the same frames re-encoded as they are, with the same settings
    with VideoFileWriter(plain, FPS, WIDTH, HEIGHT) as writer:
        for frame in source:
            writer.write(frame)
    assert out.stat().st_size < 0.7 * plain.stat().st_size
    subject = (slice(34, 86), slice(54, 106))
    error = [np.abs(result[10][subject].astype(int) - source[10][subject].astype(int)).mean()
             for result in (decoded(out), decoded(plain))]
    assert error[0] < 1.1 * error[1] + 0.2, "the subject is kept as well as by the plain re-encode"
