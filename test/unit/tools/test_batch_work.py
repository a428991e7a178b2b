"""monodepth-batch without Ray: what each input becomes (kinds, outputs, chunks with warm-up), the summary table,
and the install hint when Ray is missing."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.tools.batch.cli import FileResult, main, summary_table
from monodepth_ros.tools.batch.work import input_kind, plan_jobs


def test_bags_and_videos_are_told_apart_by_name(tmp_path):
    bag = tmp_path / "run1"
    bag.mkdir()
    (bag / "metadata.yaml").write_text("rosbag2_bagfile_information: {}\n")
    assert [input_kind(path) for path in (bag, tmp_path / "x.mcap", tmp_path / "x.db3", tmp_path / "x.mp4",
                                          tmp_path / "frames")] == ["bag", "bag", "bag", "video", "video"]
    assert input_kind(tmp_path / "x.mp4", "bag") == "bag"


def test_a_long_video_becomes_chunks_each_warmed_up_on_the_frames_before(tmp_path):
    video = tmp_path / "walk.mp4"
    with VideoFileWriter(video, 10.0, 32, 32) as writer:
        for _ in range(25):
            writer.write(np.zeros((32, 32, 3), np.uint8))
    (job,) = plan_jobs([video], tmp_path / "out", chunk_frames=10, overlap_frames=4)
    assert job.output == tmp_path / "out" / "walk" and job.frame_count == 25
    assert [unit.frames_range for unit in job.units] == [(0, 0, 10), (6, 10, 20), (16, 20, 25)]
    assert len({unit.output for unit in job.units}) == 3 and all(unit.output.parent.name == ".walk.chunks"
                                                                for unit in job.units)
    (whole,) = plan_jobs([video], tmp_path / "out", chunk_frames=0)
    assert [unit.frames_range for unit in whole.units] == [(0, 0, None)]


def test_two_inputs_with_one_output_name_are_refused(tmp_path):
    with pytest.raises(ValueError, match="would both write"):
        plan_jobs([tmp_path / "a" / "x.mp4", tmp_path / "b" / "x.mp4"], tmp_path / "out")


def test_the_summary_lists_frames_fps_and_failures_with_reasons():
    results = [FileResult("a.mp4", "video", "done", 40, 2.0), FileResult("b.bag", "bag", "skipped", 10),
               FileResult("c.mp4", "video", "failed", reason="cannot open c.mp4: Invalid data")]
    table = summary_table(results, 4.0)
    lines = table.splitlines()
    assert "20.00" in lines[1] and "skipped" in lines[2] and lines[3].endswith("cannot open c.mp4: Invalid data")
    assert lines[-1] == "3 files: 1 done, 1 skipped, 1 failed; 40 frames in 4.0 s (10.00 frames/s)"


def test_without_ray_the_tool_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    video = tmp_path / "x.mp4"
    video.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "ray", None)
    assert main([str(video), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "pip install" in error and "ray" in error
