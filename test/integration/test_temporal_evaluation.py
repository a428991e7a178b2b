"""make_sim_sequence + evaluate: temporal metrics of the default model, stabilised against per frame (small scale)."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from monodepth_ros.core.eval.datasets import load_eval_npz, save_eval_npz

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_tool(module: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *arguments], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def evaluate_ok(data_path: Path, out_path: Path, *options: str) -> dict:
    result = run_tool("monodepth_ros.tools.evaluate", str(data_path), "--out", str(out_path), *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip())


@pytest.fixture(scope="module")
def sequence_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sequence") / "data.npz"
    made = run_tool("monodepth_ros.tools.make_sim_sequence", str(path), "--frames", "24", "--fps", "30",
                    "--width", "160", "--height", "120")
    assert made.returncode == 0, made.stderr
    assert "24 frames 160x120" in made.stdout
    return path


@pytest.fixture(scope="module")
def summaries(sequence_path, tmp_path_factory) -> tuple[dict, dict, Path]:
    folder = tmp_path_factory.mktemp("predictions")
    per_frame = evaluate_ok(sequence_path, folder / "per_frame.npz", "--no-temporal")
    stabilised = evaluate_ok(sequence_path, folder / "stabilised.npz")
    return per_frame, stabilised, folder


def test_the_sequence_has_poses_stamps_a_mover_and_lidar(sequence_path):
    data = load_eval_npz(sequence_path)
    assert data.frames == 24 and data.rgb.shape[1:3] == (120, 160)
    assert data.poses.shape == (24, 4, 4) and data.stamps.shape == (24,)
    assert data.moving.any(axis=(1, 2)).sum() >= 12, "the mover is in view for at least half of the frames"
    assert np.isfinite(data.sparse).sum() > 24 * 50


def test_stabilised_depth_halves_the_tae_and_keeps_the_accuracy(summaries):
    per_frame, stabilised, _ = summaries
    assert per_frame["temporal"] is False and stabilised["temporal"] is True
    assert "stabiliser_ms_median" in stabilised and "stabiliser_ms_median" not in per_frame
    assert stabilised["stabiliser_resets"] == 0
    assert stabilised["tae"] <= 0.5 * per_frame["tae"]
    assert stabilised["abs_rel"] <= 1.03 * per_frame["abs_rel"]
    assert stabilised["moving_abs_rel"] <= 1.10 * per_frame["moving_abs_rel"], "no ghost behind the mover"


def test_fused_depth_is_stabilised_and_keeps_its_lidar_scale(summaries):
    per_frame, stabilised, _ = summaries
    assert stabilised["fused_frames"] == 24 and stabilised["lidar"] == "sparse"
    assert stabilised["fused_tae"] <= 0.75 * per_frame["fused_tae"]
    assert stabilised["fused_abs_rel"] <= 1.06 * per_frame["fused_abs_rel"]
    assert stabilised["fused_moving_abs_rel"] <= 1.10 * per_frame["fused_moving_abs_rel"]
    assert stabilised["fused_abs_rel"] < 0.5 * stabilised["abs_rel"], "the LiDAR scale survives the stabiliser"


def test_predictions_hold_depth_and_confidence(summaries):
    _, _, folder = summaries
    with np.load(folder / "stabilised.npz") as pred:
        assert sorted(pred.files) == ["confidence", "depth", "fused", "fused_confidence"]
        confidence = pred["confidence"]
        assert confidence.shape == (24, 120, 160) and 0.0 <= confidence.min() and confidence.max() <= 1.0
        assert confidence[-1].mean() > confidence[0].mean(), "confidence grows as frames agree"
    with np.load(folder / "per_frame.npz") as pred:
        assert sorted(pred.files) == ["depth", "fused"]


def test_without_poses_the_flicker_figure_is_reported(sequence_path, tmp_path):
    data = load_eval_npz(sequence_path)
    save_eval_npz(tmp_path / "no_poses.npz", data.rgb[:8], data.depth[:8], data.K)
    per_frame = evaluate_ok(tmp_path / "no_poses.npz", tmp_path / "a.npz", "--no-temporal")
    stabilised = evaluate_ok(tmp_path / "no_poses.npz", tmp_path / "b.npz")
    assert "tae" not in stabilised and "moving_abs_rel" not in stabilised
    assert stabilised["flicker"] < per_frame["flicker"]
