"""Shared fixtures: an isolated ROS domain per test session, helpers to start node processes, ``--device``."""
from __future__ import annotations

import logging
import os
import random
import re
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("ROS_DOMAIN_ID", str(random.Random(os.getpid()).randint(1, 100)))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("PYTHONUNBUFFERED", "1")


def pytest_addoption(parser):
    parser.addoption("--device", default="cpu",
                     help="compute device of the depth backend and estimator tests: cpu (default), cuda or cuda:N")


def pytest_configure(config):
    requested = config.getoption("--device")
    if not re.fullmatch(r"cpu|cuda(:\d+)?", requested):
        raise pytest.UsageError(f"--device must be cpu, cuda or cuda:N, got '{requested}'")


@pytest.fixture
def caplog(caplog):
    """pytest's ``caplog``, also for this package's loggers that do not propagate to the root logger.

    Importing ROS's ``launch`` (its launch_testing pytest plugin does) sets a logger class whose loggers do not
    propagate, so their records never reach caplog's handler on the root logger; they propagate during the test.
    """
    detached = [logger for name, logger in logging.Logger.manager.loggerDict.items()
                if name.split(".")[0] == "monodepth_ros" and isinstance(logger, logging.Logger)
                and not logger.propagate]
    for logger in detached:
        logger.propagate = True
    yield caplog
    for logger in detached:
        logger.propagate = False


@pytest.fixture(scope="session")
def device(request) -> str:
    """The ``--device`` the model tests run on; they skip when it is a CUDA device this machine lacks."""
    requested = request.config.getoption("--device")
    if requested == "cpu":
        return requested
    torch = pytest.importorskip("torch")
    index = int(requested.split(":")[1]) if ":" in requested else 0
    if index >= torch.cuda.device_count():
        pytest.skip(f"--device {requested}: no such CUDA device here (torch sees {torch.cuda.device_count()})")
    return requested


@pytest.fixture(scope="session")
def onnx_device(device) -> str:
    """``device`` for ONNX Runtime models; skips on CUDA when ONNX Runtime has no CUDA execution provider."""
    ort = pytest.importorskip("onnxruntime")
    if device != "cpu" and "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip(f"--device {device}: ONNX Runtime has no CUDAExecutionProvider (install onnxruntime-gpu)")
    return device


@pytest.fixture(scope="session")
def ros_context():
    """rclpy initialised once for the test process (default DDS settings)."""
    rclpy = pytest.importorskip("rclpy")
    rclpy.init()
    yield rclpy
    rclpy.try_shutdown()


@pytest.fixture
def node_processes(tmp_path, ros_context):
    """``start(module, namespace, parameters, remappings)`` runs a node process; all are stopped afterwards."""
    from monodepth_ros.testing.node_process import NodeProcess

    started = []

    def start(module: str, namespace: str, parameters: dict | None = None, remappings: dict | None = None,
              arguments: tuple[str, ...] = ()) -> NodeProcess:
        log_path = tmp_path / f"{module.rsplit('.', 1)[-1]}{len(started)}.log"
        process = NodeProcess(module, log_path, parameters, {"__ns": namespace, **(remappings or {})}, arguments,
                              cwd=REPO_ROOT)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def test_nodes(ros_context):
    """``create(name)`` makes an rclpy node in this process; all are destroyed afterwards."""
    created = []

    def create(name: str):
        created.append(ros_context.create_node(name))
        return created[-1]

    yield create
    for node in created:
        node.destroy_node()


@pytest.fixture(params=[pytest.param(True, id="matched_events"), pytest.param(False, id="counted")])
def demand_mode(request, monkeypatch, ros_context):
    """Runs a test with publisher matched events (skipped where rclpy lacks them) and with the periodic
    subscriber count used without them; returns True for matched events. Applies to nodes made in this process."""
    from monodepth_ros.ros.common import output_demand

    if request.param and not output_demand.MATCHED_EVENTS_AVAILABLE:
        pytest.skip("this rclpy has no publisher matched events")
    monkeypatch.setattr(output_demand, "MATCHED_EVENTS_AVAILABLE", request.param)
    return request.param
