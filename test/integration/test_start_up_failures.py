"""Every start-up failure of a node process and of monodepth-pipeline ends in one `cannot start: ...` line and
exit code 1, never a traceback: models that cannot load, unreadable parameters files, unusable caches, hub ids
without network (fast)."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monodepth_ros.testing.tiny_models import depth_anything_processor, save_model_folder, tiny_depth_anything

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPTH_NODE = "monodepth_ros.ros.nodes.depth.depth_node"
PIPELINE = "monodepth_ros.ros.runners.pipeline_runner"


class RunsCode:
    """A pickle that would run code when loaded by an unrestricted unpickler."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def start(module: str, *arguments: str, env: dict | None = None, timeout_s: float = 60.0
          ) -> tuple[int, list[str], float]:
    """Run ``module`` until it exits; returns its exit code, its output lines and how long it ran (seconds)."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True, text=True,
                            cwd=REPO_ROOT, timeout=timeout_s, env={**os.environ, **(env or {})})
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return result.returncode, lines, time.monotonic() - started


def assert_one_line(code: int, lines: list[str], expected: str) -> None:
    failures = [line for line in lines if "cannot start: " in line]
    assert code == 1, lines
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    assert len(failures) == 1 and expected in failures[0], "\n".join(lines)
    assert len(lines) <= 3, "only the reason, no noise around it:\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def hf_folder(tmp_path_factory) -> Path:
    return Path(save_model_folder(tmp_path_factory.mktemp("tiny_hf"), tiny_depth_anything(metric=True),
                                  depth_anything_processor()))


def test_an_onnx_file_that_is_not_onnx(tmp_path):
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"\x08\x07not a protobuf at all" * 10)
    code, lines, _ = start(DEPTH_NODE, "--ros-args", "-p", "backend:=onnx", "-p", f"model:={model}",
                           "-p", "output:=metric_depth")
    assert_one_line(code, lines, "cannot start: ")


def test_hf_weights_that_are_not_safetensors(tmp_path, hf_folder):
    folder = tmp_path / "corrupt"
    folder.mkdir()
    for item in hf_folder.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    (folder / "model.safetensors").write_bytes(b"\xff" * 64)
    code, lines, _ = start(DEPTH_NODE, "--ros-args", "-p", "backend:=hf", "-p", f"model:={folder}")
    assert_one_line(code, lines, "cannot start: ")


def test_a_pickle_that_runs_code_is_refused(tmp_path, hf_folder):
    folder = tmp_path / "pickled"
    folder.mkdir()
    for item in hf_folder.iterdir():
        if item.suffix != ".safetensors":
            (folder / item.name).write_bytes(item.read_bytes())
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": RunsCode()}))
    code, lines, _ = start(DEPTH_NODE, "--ros-args", "-p", "backend:=hf", "-p", f"model:={folder}")
    assert_one_line(code, lines, "cannot start: ")
    assert not any("pwned" in line for line in lines)


def test_a_hub_id_without_network_fails_fast_and_says_how_to_use_a_local_folder(tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf_home")}
    code, lines, seconds = start(DEPTH_NODE, "--ros-args", "-p", "backend:=hf", "-p",
                                 "model:=no-such-org/no-such-depth-model", env=env)
    assert_one_line(code, lines, "not in the local Hugging Face cache")
    assert "local folder" in lines[-1]
    assert seconds < 30.0


def test_an_unusable_model_cache(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder should be")
    code, lines, _ = start(DEPTH_NODE, env={"MONODEPTH_ROS_CACHE": str(blocker / "cache")})
    assert_one_line(code, lines, "MONODEPTH_ROS_CACHE")


@pytest.mark.parametrize("module", [DEPTH_NODE, PIPELINE], ids=["node", "pipeline"])
def test_a_parameters_file_that_is_not_yaml(tmp_path, module):
    params = tmp_path / "broken.yaml"
    params.write_text("/**:\n  ros__parameters:\n    min_depth_m: [1, 2\n")
    arguments = ("--ros-args", "--params-file", str(params)) if module == DEPTH_NODE else (
        "--params-file", str(params))
    code, lines, _ = start(module, *arguments)
    assert_one_line(code, lines, "is not valid YAML")


def test_an_invalid_parameter_combination_in_the_pipeline(tmp_path):
    params = tmp_path / "range.yaml"
    params.write_text("/**/pointcloud_node:\n  ros__parameters:\n    min_depth_m: 9.0\n    max_depth_m: 3.0\n")
    code, lines, _ = start(PIPELINE, "--params-file", str(params), "--no-costmap", "--no-fusion")
    assert_one_line(code, lines, "min_depth_m (9.0) must be below max_depth_m (3.0)")
