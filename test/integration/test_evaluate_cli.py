"""The evaluate CLI on the Middlebury Motorcycle with the default FastDepth model, and on a tiny ONNX model."""
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle, save_eval_npz
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_evaluate(data_path: Path, out_path: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monodepth_ros.tools.evaluate", str(data_path),
                           "--out", str(out_path), *options],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)


def evaluate_ok(data_path: Path, out_path: Path, *options: str) -> dict:
    result = run_evaluate(data_path, out_path, *options)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def motorcycle():
    return load_middlebury_motorcycle()


@pytest.fixture(scope="module")
def single_frame(motorcycle, tmp_path_factory):
    """(summary, predicted depth) of the CLI on the motorcycle written by make_middlebury_npz."""
    folder = tmp_path_factory.mktemp("single")
    data_path = folder / "motorcycle.npz"
    made = subprocess.run([sys.executable, "-m", "monodepth_ros.tools.make_middlebury_npz", str(data_path)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    summary = evaluate_ok(data_path, folder / "pred.npz")
    with np.load(folder / "pred.npz") as pred:
        assert sorted(pred.files) == ["confidence", "depth"], "fused depth is written only with LiDAR"
        return summary, pred["depth"]


def test_fastdepth_is_accurate_on_the_motorcycle(single_frame, motorcycle):
    summary, _ = single_frame
    _, gt, _ = motorcycle
    assert summary["frames"] == 1 and summary["frames_with_gt"] == 1
    assert summary["valid_pixels"] == np.isfinite(gt).sum()
    assert summary["abs_rel"] <= 0.20
    assert summary["rmse"] < 1.0
    assert summary["delta1"] > 0.5
    assert summary["kind"] == "metric" and summary["alignment"] == "none"
    assert "fastdepth" in summary["model"] and summary["device"]
    assert summary["latency_ms_mean"] > 0.0
    assert not any(key.startswith("fus") or key == "lidar" for key in summary)


def test_predictions_are_metres_at_the_input_resolution(single_frame, motorcycle):
    _, depth = single_frame
    rgb, _, _ = motorcycle
    assert depth.dtype == np.float32 and depth.shape == (1, *rgb.shape[:2])
    assert 1.0 < np.nanmedian(depth) < 6.0


def test_two_stacked_frames_pool_their_pixels(single_frame, motorcycle, tmp_path):
    single_summary, single_depth = single_frame
    rgb, gt, k = motorcycle
    save_eval_npz(tmp_path / "two.npz", np.stack([rgb, rgb]), np.stack([gt, gt]), k)
    summary = evaluate_ok(tmp_path / "two.npz", tmp_path / "pred.npz")
    assert summary["frames"] == 2 and summary["frames_with_gt"] == 2
    assert summary["valid_pixels"] == 2 * single_summary["valid_pixels"]
    assert summary["abs_rel"] == pytest.approx(single_summary["abs_rel"], rel=1e-5)
    with np.load(tmp_path / "pred.npz") as pred:
        depth = pred["depth"]
    assert depth.dtype == np.float32 and depth.shape == (2, *rgb.shape[:2])
    np.testing.assert_allclose(depth, np.concatenate([single_depth, single_depth]), rtol=1e-5)


def test_frames_without_ground_truth_still_get_predictions(single_frame, motorcycle, tmp_path):
    single_summary, single_depth = single_frame
    rgb, gt, k = motorcycle
    save_eval_npz(tmp_path / "data.npz", np.stack([rgb, rgb]), np.stack([gt, np.zeros_like(gt)]), k)
    summary = evaluate_ok(tmp_path / "data.npz", tmp_path / "pred.npz")
    assert summary["frames"] == 2 and summary["frames_with_gt"] == 1
    assert summary["valid_pixels"] == single_summary["valid_pixels"]
    with np.load(tmp_path / "pred.npz") as pred:
        np.testing.assert_allclose(pred["depth"][1], single_depth[0], rtol=1e-5)


def test_relative_output_is_aligned_to_ground_truth_per_frame(motorcycle, tmp_path):
    rgb, gt, k = motorcycle
    save_eval_npz(tmp_path / "data.npz", np.stack([rgb, rgb]), np.stack([gt, np.zeros_like(gt)]), k)
    summary = evaluate_ok(tmp_path / "data.npz", tmp_path / "pred.npz", "--output", "relative_depth")
    assert summary["kind"] == "relative_inverse"
    assert summary["alignment"] == "scale_shift_inverse_depth_per_frame"
    assert summary["abs_rel"] <= 0.20
    with np.load(tmp_path / "pred.npz") as pred:
        depth = pred["depth"]
    assert 1.0 < np.nanmedian(depth[0]) < 6.0
    assert np.isnan(depth[1]).all(), "a frame without ground truth cannot be aligned"


def test_lidar_fusion_halves_the_error_and_beats_the_best_global_scale(motorcycle, tmp_path):
    rgb, gt, k = motorcycle
    save_eval_npz(tmp_path / "data.npz", rgb, gt, k)
    summary = evaluate_ok(tmp_path / "data.npz", tmp_path / "pred.npz", "--lidar-beams", "16")
    assert summary["lidar"] == "simulated_16_beams" and summary["fused_frames"] == 1
    assert summary["fused_abs_rel"] <= 0.5 * summary["abs_rel"]
    assert summary["fused_abs_rel"] < summary["global_scale_abs_rel"] < summary["abs_rel"]
    assert summary["fused_rmse"] < summary["rmse"] and summary["fused_delta1"] > summary["delta1"]
    assert summary["fusion_ms_mean"] > 0.0
    with np.load(tmp_path / "pred.npz") as pred:
        fused = pred["fused"]
    assert fused.dtype == np.float32 and fused.shape == (1, *gt.shape)
    assert depth_metrics(fused, gt[None])["abs_rel"] == pytest.approx(summary["fused_abs_rel"], rel=1e-6)


def test_fused_relative_depth_is_metric_without_ground_truth_alignment(motorcycle, tmp_path):
    rgb, gt, k = motorcycle
    lidar = sparse_from_beams(gt, beams=16)
    save_eval_npz(tmp_path / "data.npz", np.stack([rgb, rgb]), np.stack([gt, np.zeros_like(gt)]), k,
                  sparse=np.stack([lidar, lidar]))
    summary = evaluate_ok(tmp_path / "data.npz", tmp_path / "pred.npz", "--output", "relative_depth",
                          "--lidar-beams", "4")
    assert summary["kind"] == "relative_inverse"
    assert summary["lidar"] == "sparse" and summary["fused_frames"] == 2
    assert summary["fused_abs_rel"] < 0.15
    with np.load(tmp_path / "pred.npz") as pred:
        depth, fused = pred["depth"], pred["fused"]
    assert np.isnan(depth[1]).all(), "without ground truth the relative prediction cannot be aligned"
    assert depth_metrics(fused[1], gt)["abs_rel"] < 0.15, "fusion needs only the LiDAR"


def test_sparse_lidar_of_the_wrong_shape_is_rejected(tmp_path):
    np.savez(tmp_path / "data.npz", rgb=np.zeros((4, 5, 3), np.uint8), depth=np.ones((4, 5), np.float32),
             K=np.eye(3), sparse=np.ones((5, 4), np.float32))
    result = run_evaluate(tmp_path / "data.npz", tmp_path / "pred.npz")
    assert result.returncode == 1 and result.stdout == ""
    assert "sparse shape (1, 5, 4) does not match" in result.stderr


def test_lidar_beams_must_be_positive(tmp_path):
    result = run_evaluate(tmp_path / "data.npz", tmp_path / "pred.npz", "--lidar-beams", "0")
    assert result.returncode == 2 and "--lidar-beams" in result.stderr


def test_unreadable_data_fails_with_a_message_and_no_json(tmp_path):
    result = run_evaluate(tmp_path / "absent.npz", tmp_path / "pred.npz")
    assert result.returncode != 0
    assert "absent.npz" in result.stderr and result.stdout == ""
    assert not (tmp_path / "pred.npz").exists()


NORMALISED_RED_MEAN, NORMALISED_RED_STD = (0.5, 0.25, 0.75), (0.25, 0.5, 2.0)


def normalised_red_depth(rgb: np.ndarray) -> np.ndarray:
    """What _export_normalised_red's model predicts for uint8 RGB (H, W, 3) normalised as it expects (metres)."""
    return 3.0 + (rgb[..., 0] / 255.0 - NORMALISED_RED_MEAN[0]) / NORMALISED_RED_STD[0]


def _export_normalised_red(path: Path) -> Path:
    """An ONNX model with a fixed 32x48 input: depth (N, 1, H, W) = 3 + the red channel of its input."""
    torch = pytest.importorskip("torch")

    class NormalisedRed(torch.nn.Module):
        def forward(self, image):
            return 3.0 + image[:, 0:1]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(NormalisedRed(), (torch.zeros(1, 3, 32, 48),), str(path), input_names=["image"],
                          output_names=["depth"], dynamo=False)
    return path


def test_an_onnx_model_gets_the_mean_std_and_output_scale_it_needs(tmp_path):
    pytest.importorskip("onnxruntime")
    model = _export_normalised_red(tmp_path / "normalised_red.onnx")
    rgb = np.zeros((32, 48, 3), np.uint8)
    rgb[..., 0] = np.linspace(100, 250, 48, dtype=np.uint8)[None, :]
    rgb[..., 1:] = 90
    gt = normalised_red_depth(rgb.astype(np.float64)).astype(np.float32)
    save_eval_npz(tmp_path / "data.npz", rgb, gt, np.array([[40.0, 0.0, 24.0], [0.0, 40.0, 16.0], [0.0, 0.0, 1.0]]))
    onnx = ("--backend", "onnx", "--model", str(model), "--output", "metric_depth", "--device", "cpu")
    normalisation = ("--mean", *map(str, NORMALISED_RED_MEAN), "--std", *map(str, NORMALISED_RED_STD))
    normalised = evaluate_ok(tmp_path / "data.npz", tmp_path / "pred.npz", *onnx, *normalisation)
    with np.load(tmp_path / "pred.npz") as pred:
        np.testing.assert_allclose(pred["depth"][0], gt, rtol=1e-4)
    assert normalised["abs_rel"] < 1e-4 and normalised["delta1"] == 1.0
    raw = evaluate_ok(tmp_path / "data.npz", tmp_path / "raw.npz", *onnx)
    assert raw["abs_rel"] > 0.1, "without --mean/--std the model sees other values"
    evaluate_ok(tmp_path / "data.npz", tmp_path / "halved.npz", *onnx, *normalisation, "--output-scale", "0.5")
    with np.load(tmp_path / "halved.npz") as pred:
        np.testing.assert_allclose(pred["depth"][0], 0.5 * gt, rtol=1e-4)


def test_a_std_of_zero_is_rejected_in_one_line(tmp_path):
    result = run_evaluate(tmp_path / "data.npz", tmp_path / "pred.npz", "--std", "0", "1", "1")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "std must be positive" in result.stderr
