"""benchmarks/bench_gpu.py keeps running: its CPU smoke mode, cut down to one size, batch and precision."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[3]


def test_cpu_smoke_mode_writes_a_report_with_baseline_ours_and_acceptance(tmp_path):
    out = tmp_path / "report"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_gpu.py"), "--cpu-smoke", "--out", str(out),
         "--models", "small", "fastdepth", "--sizes", "64x48", "--batches", "2", "--precisions", "fp32",
         "--runs", "1", "--warmup", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    systems = {(m["system"], m["model"]): m for m in report["measurements"]}
    for key in (("baseline", "small"), ("ours", "small")):
        measurement = systems[key]
        assert measurement["batch"] == 2 and measurement["size"] == "64x48"
        assert measurement["network_input"] == "56x42", "keep aspect ratio, multiples of 14, long side 56"
        assert measurement["total_ms"] >= measurement["stages_ms"]["inference"] > 0.0
        assert measurement["fps"] > 0.0
    assert "preprocessing on device" in systems[("ours", "small")]["note"]
    if ("fastdepth", "fastdepth") not in systems:
        assert any("FastDepth not measured" in note for note in report["notes"])
    acceptance = report["acceptance"]
    assert acceptance["measured"] and acceptance["configuration"]["size"] == "64x48"
    assert acceptance["speedup"] > 0.0 and 0.0 <= acceptance["overhead_percent"] < 100.0
    markdown = (out / "report.md").read_text()
    assert "Acceptance (small, 64x48, fp32, batch 2" in markdown
    assert markdown in completed.stdout
