"""package.xml works with rosdep: every depend resolves, every import of the package is declared, none is unused.

`rosdep install --from-paths src --ignore-src` fails on the first key it cannot resolve, and a missing depend
shows up only on a robot as an ImportError; both are checked here against the lists below.
"""
from __future__ import annotations

import ast
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ROS_PACKAGES = frozenset({
    "rclpy", "sensor_msgs", "std_msgs", "geometry_msgs", "nav_msgs", "diagnostic_msgs", "rcl_interfaces",
    "lifecycle_msgs", "ament_index_python", "launch", "launch_ros", "launch_testing", "tf2_ros_py", "rviz2"})
"""ROS 2 package names (ros2.repos of Humble, Jazzy and Kilted); rosdep resolves them to ros-<distro>-<name>."""

ROSDEP_KEYS = {
    # rosdistro rosdep/python.yaml (each key read there)
    "python3-numpy": "apt python3-numpy",
    "python3-opencv": "apt python3-opencv",
    "python3-yaml": "apt python3-yaml",
    "python3-pil": "apt python3-pil",
    "python3-tqdm": "apt python3-tqdm",
    "python3-skimage": "apt python3-skimage",
    "python3-pytest": "apt python3-pytest",
    "python3-onnxruntime-pip": "pip onnxruntime",
    "python3-open3d-pip": "pip open3d",
    "python3-pytorch-pip": "pip torch (there is no python3-torch key)",
    "python3-transformers-pip": "pip transformers",
    # rosdistro rosdep/base.yaml
    "npm": "apt npm (fetches the embedded FastDepth model once)",
}
"""rosdep keys this package may declare, with what they install."""

IMPORT_DEPENDS = {
    "rclpy": "rclpy", "sensor_msgs": "sensor_msgs", "std_msgs": "std_msgs", "geometry_msgs": "geometry_msgs",
    "nav_msgs": "nav_msgs", "diagnostic_msgs": "diagnostic_msgs", "rcl_interfaces": "rcl_interfaces",
    "lifecycle_msgs": "lifecycle_msgs", "ament_index_python": "ament_index_python", "launch": "launch",
    "launch_ros": "launch_ros", "launch_testing": "launch_testing", "tf2_ros": "tf2_ros_py",
    "numpy": "python3-numpy", "cv2": "python3-opencv", "yaml": "python3-yaml", "PIL": "python3-pil",
    "tqdm": "python3-tqdm", "skimage": "python3-skimage", "pytest": "python3-pytest",
    "onnxruntime": "python3-onnxruntime-pip", "open3d": "python3-open3d-pip", "torch": "python3-pytorch-pip",
    "transformers": "python3-transformers-pip",
    "huggingface_hub": "python3-transformers-pip",  # a dependency of transformers, installed with it
}
"""Top-level Python module -> the depend that provides it."""

PIP_ONLY = {
    "av": "PyAV: no rosdep key; only video files of monodepth-effects (pip install av)",
    "onnx": "no rosdep key; only monodepth-export and its tests (pip install onnx)",
    "sounddevice": "no rosdep key; optional sound output of depth_sonification_node (pip install sounddevice)",
    "rosbags": "no rosdep key; only monodepth-bag and its tests (pip install rosbags)",
    "ray": "no rosdep key; only monodepth-batch and its tests (pip install .[batch] or ray)",
}
"""Imports no rosdep key provides; package.xml's comment and the README name them."""


def depends(kinds: tuple[str, ...]) -> set[str]:
    package = ElementTree.parse(ROOT / "package.xml").getroot()
    return {element.text.strip() for kind in kinds for element in package.findall(kind)}


RUNTIME_KINDS = ("depend", "exec_depend", "build_export_depend")
ALL_KINDS = RUNTIME_KINDS + ("build_depend", "buildtool_depend", "test_depend", "doc_depend")


def third_party_imports(folders: list[str]) -> dict[str, str]:
    """Top-level modules imported anywhere (also inside functions) under ``folders`` -> one file importing it."""
    found = {}
    local = {path.stem for folder in folders for path in (ROOT / folder).rglob("*.py")}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top != "monodepth_ros" and top not in local:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_depend_is_a_ros_package_or_a_known_rosdep_key():
    unknown = depends(ALL_KINDS) - ROS_PACKAGES - set(ROSDEP_KEYS)
    assert not unknown, f"rosdep cannot resolve {sorted(unknown)}"
    assert not depends(("buildtool_depend",)), "ament_python packages declare no buildtool_depend"


def test_every_import_of_the_package_and_its_launch_files_is_declared():
    declared = depends(RUNTIME_KINDS)
    for module, where in third_party_imports(["monodepth_ros", "launch"]).items():
        if module in PIP_ONLY:
            continue
        assert module in IMPORT_DEPENDS, f"{module} (imported in {where}) has no known depend: add it to the lists"
        assert IMPORT_DEPENDS[module] in declared, f"{module} (imported in {where}) needs <exec_depend>" \
                                                   f"{IMPORT_DEPENDS[module]}</exec_depend>"


def test_test_imports_are_declared_and_every_test_depend_is_used():
    imports = third_party_imports(["test"])
    runtime, tests = depends(RUNTIME_KINDS), depends(("test_depend",))
    for module, where in imports.items():
        if module in PIP_ONLY:
            continue
        assert module in IMPORT_DEPENDS, f"{module} (imported in {where}) has no known depend: add it to the lists"
        assert IMPORT_DEPENDS[module] in runtime | tests, f"{module} (imported in {where}) is not declared"
    used = {IMPORT_DEPENDS[module] for module in imports if module in IMPORT_DEPENDS}
    assert tests <= used, f"test_depends no test imports: {sorted(tests - used)}"


def test_the_model_fetch_needs_npm_and_declares_it():
    assert '"npm"' in (ROOT / "monodepth_ros/core/depth/weights_cache.py").read_text()
    assert "npm" in depends(RUNTIME_KINDS)


def test_pip_only_imports_are_named_for_users():
    for name in ("package.xml", "README.md"):
        text = (ROOT / name).read_text()
        for module in PIP_ONLY:
            assert re.search(rf"pip install [^\n`]*\b{module}\b", text), f"{name} does not say: pip install {module}"
