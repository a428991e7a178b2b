"""The package installs what ROS users run: executables, launch, config and rviz files."""
from __future__ import annotations

import ast
import configparser
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_PARAMETERS
from monodepth_ros.ros.nodes.media.depth_effects_params import DEPTH_EFFECTS_NODE_PARAMETERS
from monodepth_ros.ros.nodes.media.depth_sonification_params import DEPTH_SONIFICATION_NODE_PARAMETERS
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_PARAMETERS
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_PARAMETERS
from monodepth_ros.ros.nodes.sources.sim_scene_params import SIM_SCENE_NODE_PARAMETERS
from monodepth_ros.ros.nodes.sources.video_source_params import VIDEO_SOURCE_NODE_PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
NODE_TABLES = {"depth.yaml": DEPTH_NODE_PARAMETERS, "lidar_fusion.yaml": FUSION_NODE_PARAMETERS,
               "pointcloud.yaml": POINTCLOUD_NODE_PARAMETERS, "sim_scene.yaml": SIM_SCENE_NODE_PARAMETERS,
               "costmap.yaml": COSTMAP_NODE_PARAMETERS, "depth_effects.yaml": DEPTH_EFFECTS_NODE_PARAMETERS,
               "depth_sonification.yaml": DEPTH_SONIFICATION_NODE_PARAMETERS,
               "video_source.yaml": VIDEO_SOURCE_NODE_PARAMETERS}


def test_package_xml_is_format_3_ament_python_with_runtime_dependencies():
    package = ElementTree.parse(ROOT / "package.xml").getroot()
    assert package.get("format") == "3"
    assert package.findtext("name") == "monodepth_ros"
    assert package.find("export/build_type").text == "ament_python"
    exec_depends = {element.text for element in package.findall("exec_depend")}
    assert {"rclpy", "sensor_msgs", "diagnostic_msgs", "launch_ros"} <= exec_depends
    assert "launch_testing" in {element.text for element in package.findall("test_depend")}


def setup_keywords() -> dict[str, ast.expr]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup")
    return {keyword.arg: keyword.value for keyword in call.keywords}


def test_colcon_test_finds_pytest_in_the_test_extra():
    """colcon runs pytest only when setup.py names it in extras_require["test"] (or tests_require, which current
    setuptools drops: colcon then falls back to unittest and reports 0 tests as success)."""
    keywords = setup_keywords()
    assert "tests_require" not in keywords
    assert "pytest" in ast.literal_eval(keywords["extras_require"])["test"]


def test_pytest_stays_below_9_for_ros_launch_testing_plugin():
    """ROS's launch_testing pytest plugin (Humble to Kilted) implements hooks with the `path` argument that
    pytest 9 removed; pytest 9 refuses to load it and every run exits with status 3."""
    assert "pytest>=8,<9" in (ROOT / "requirements.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    assert int(pins["pytest"].split(".")[0]) == 8


def test_colcon_installs_executables_under_lib_package():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["install"]["install_scripts"] == "$base/lib/monodepth_ros"
    assert config["develop"]["script_dir"] == "$base/lib/monodepth_ros"


def test_pip_install_ships_share_files_the_ament_index_and_executables_where_ros_looks(tmp_path):
    """`pip install .` into a prefix (a venv is one): share files, the ament index marker, console scripts in bin/
    and, for `ros2 run`, lib/monodepth_ros/<executable> running them; AMENT_PREFIX_PATH=<prefix> finds it all."""
    # --ignore-installed: without it pip uninstalls this venv's own (editable) install of the package first
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--ignore-installed", "--prefix", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    share = tmp_path / "share" / "monodepth_ros"
    for relative in ["package.xml", "launch/depth.launch.py", "launch/pipeline.launch.py", "launch/sim_demo.launch.py",
                     "launch/gazebo.launch.py", "config/depth.yaml", "config/pipeline.yaml",
                     "config/nav2_obstacle_layer.yaml",
                     "config/fastdds_large_messages.xml", "rviz/monodepth.rviz"]:
        assert (share / relative).is_file(), relative
    assert (tmp_path / "share/ament_index/resource_index/packages/monodepth_ros").is_file()
    for executable in ("depth_node", "lidar_fusion_node", "pointcloud_node", "costmap_node", "sim_scene_node",
                       "depth_effects_node", "video_source_node", "monodepth-pipeline", "monodepth-effects", "monodepth-export",
                       "monodepth-video", "monodepth-bag", "monodepth-batch"):
        assert (tmp_path / "bin" / executable).is_file(), executable
        assert os.access(tmp_path / "lib" / "monodepth_ros" / executable, os.X_OK), executable
    site_packages = next(tmp_path.glob("lib/python3*/site-packages"))
    assert (site_packages / "monodepth_ros" / "resources" / "fastdds_large_messages.xml").is_file()
    environment = {**os.environ, "AMENT_PREFIX_PATH": str(tmp_path), "PYTHONPATH": str(site_packages)}
    found = subprocess.run([sys.executable, "-c", "from ament_index_python.packages import get_package_share_directory"
                            " as share; import monodepth_ros; print(share('monodepth_ros'), monodepth_ros.__file__)"],
                           env=environment, cwd=tmp_path, check=True, capture_output=True, text=True).stdout.split()
    assert found == [str(share), str(site_packages / "monodepth_ros" / "__init__.py")]
    usage = subprocess.run([str(tmp_path / "lib/monodepth_ros/monodepth-export"), "--help"], env=environment,
                           check=True, capture_output=True, text=True).stdout
    assert usage.startswith("usage: monodepth-export")


@pytest.mark.parametrize("launch_file", sorted((ROOT / "launch").glob("*.launch.py")), ids=lambda p: p.name)
def test_launch_files_parse_and_define_generate_launch_description(launch_file):
    tree = ast.parse(launch_file.read_text())
    assert "generate_launch_description" in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _flattened(values: dict, prefix: str = "") -> dict:
    """Nested parameter groups as ROS names them: {"a": {"b": 1}} -> {"a.b": 1}."""
    flat = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat.update(_flattened(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


@pytest.mark.parametrize("config_name", sorted(NODE_TABLES))
def test_config_files_list_every_parameter_with_its_default(config_name):
    document = yaml.safe_load((ROOT / "config" / config_name).read_text())
    values = _flattened(document["/**"]["ros__parameters"])
    table = {spec.name: spec.default for spec in NODE_TABLES[config_name]}
    assert set(values) == set(table)
    for name, default in table.items():
        assert values[name] == default, name
        assert type(values[name]) is type(default), name
