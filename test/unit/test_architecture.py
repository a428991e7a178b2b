"""The package keeps its layers apart: no import cycles, a ROS-free core, independent nodes, small folders."""
from __future__ import annotations

from pathlib import Path

import pytest

import monodepth_ros
from monodepth_ros.testing.architecture import check_package, is_ros_package

PACKAGE_DIR = Path(monodepth_ros.__file__).resolve().parent
RULES = ("import cycles", "ROS-free core", "independent nodes", "folder size")


@pytest.mark.parametrize("rule", RULES)
def test_monodepth_ros_follows_the_rule(rule):
    violations = check_package(PACKAGE_DIR)[rule]
    assert not violations, "\n".join(violations)


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A package ``pkg`` under ``root`` with ``files`` (relative path -> source); every folder gets an
    ``__init__.py``."""
    package = root / "pkg"
    for relative, source in {"__init__.py": "", **files}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in [path.parent, *path.parent.parents]:
            if folder == package.parent:
                break
            (folder / "__init__.py").touch()
        path.write_text(source)
    return package


CLEAN = {
    "core/maths/ops.py": "import numpy as np\n",
    "core/maths/solver.py": "from pkg.core.maths.ops import np\nfrom . import ops\n",
    "ros/common/base.py": "import rclpy\nfrom sensor_msgs.msg import Image\nfrom pkg.core.maths import solver\n",
    "ros/nodes/camera_node.py": "from pkg.ros.common.base import rclpy\nfrom pkg.ros.nodes.camera_params import P\n",
    "ros/nodes/camera_params.py": "P = ()\n",
    "ros/nodes/lidar_node.py": "from .lidar_params import P\n",
    "ros/nodes/lidar_params.py": "P = ()\n",
}


def violations_of(tmp_path: Path, changes: dict[str, str], limit: int = 14) -> dict[str, list[str]]:
    return check_package(write_package(tmp_path, {**CLEAN, **changes}), limit)


def test_a_clean_package_passes_every_rule(tmp_path):
    assert violations_of(tmp_path, {}) == {rule: [] for rule in RULES}


def test_an_import_cycle_is_named_module_by_module(tmp_path):
    violations = violations_of(tmp_path, {"core/maths/ops.py": "def later():\n    from pkg.core.maths import solver\n"})
    assert violations["import cycles"] == ["pkg.core.maths.ops -> pkg.core.maths.solver -> pkg.core.maths.ops"]
    assert not violations["ROS-free core"]


def test_a_three_module_cycle_through_a_package_init_is_found(tmp_path):
    violations = violations_of(tmp_path, {"ros/common/__init__.py": "from .base import rclpy\n",
                                          "core/maths/ops.py": "import pkg.ros.common\n"})
    assert violations["import cycles"] == [
        "pkg.core.maths.ops -> pkg.ros.common -> pkg.ros.common.base -> pkg.core.maths.solver -> pkg.core.maths.ops"]


@pytest.mark.parametrize("source, imported", [
    ("import rclpy.node\n", "rclpy.node"),
    ("from geometry_msgs.msg import Pose\n", "geometry_msgs.msg"),
    ("def convert():\n    from tf2_ros import Buffer\n", "tf2_ros"),
    ("from pkg.ros.common import base\n", "pkg.ros.common.base"),
    ("from ...ros.common.base import rclpy\n", "pkg.ros.common.base"),
])
def test_a_core_module_importing_ros_fails(tmp_path, source, imported):
    violations = violations_of(tmp_path, {"core/maths/extra.py": source})
    assert violations["ROS-free core"] == [f"pkg.core.maths.extra (ROS-free core) imports {imported}"]


def test_ros_package_names_are_recognised_and_others_are_not():
    for name in ("rclpy", "std_msgs.msg", "tf2_geometry_msgs", "rcl_interfaces.msg", "my_robot_msgs",
                 "example_interfaces.srv", "rosidl_runtime_py"):
        assert is_ros_package(name), name
    for name in ("numpy", "torch", "rosbags.rosbag2", "cv2", "onnxruntime", "transformers"):
        assert not is_ros_package(name), name


@pytest.mark.parametrize("source", [
    "from pkg.ros.nodes.lidar_node import rclpy\n",
    "from pkg.ros.nodes import lidar_node\n",
    "def later():\n    import pkg.ros.nodes.lidar_node\n",
    "from .lidar_params import P\n",
])
def test_a_node_importing_another_node_or_its_table_fails(tmp_path, source):
    violations = violations_of(tmp_path, {"ros/nodes/camera_node.py": source})
    assert len(violations["independent nodes"]) == 1
    assert violations["independent nodes"][0].startswith("pkg.ros.nodes.camera_node imports pkg.ros.nodes.lidar_")


def test_a_parameter_table_importing_a_node_fails(tmp_path):
    violations = violations_of(tmp_path, {"ros/nodes/camera_params.py": "from pkg.ros.nodes import lidar_node\n"})
    assert violations["independent nodes"] == [
        "pkg.ros.nodes.camera_params imports pkg.ros.nodes.lidar_node: node modules stay independent "
        "(shared code belongs in a common module)"]


def test_a_folder_with_too_many_modules_fails(tmp_path):
    crowded = {f"core/maths/extra_{index}.py": "" for index in range(3)}
    violations = violations_of(tmp_path / "crowded", crowded, limit=5)
    # ops, solver, three extras and __init__: six modules in one folder
    assert violations["folder size"] == ["pkg/core/maths holds 6 modules (at most 5): split it by concern"]
    assert violations_of(tmp_path / "clean", {}, limit=5)["folder size"] == []
