"""The pipeline graph, written once: what it says, and that launch/pipeline.launch.py, sim_demo.launch.py and
monodepth-pipeline (pipeline_runner) all start exactly the nodes it describes.

`launch` and `launch_ros` are not installable here, so the launch files run against recording stand-ins of the
few classes they use (test/launch_tests run the real ones where ROS 2 is installed)."""
from __future__ import annotations

import ast
import runpy
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from monodepth_ros.core.camera.transforms import apply, transform_from_pose7
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.ros.runners.pipeline_graph import INPUT_TOPICS, SIM_SCENE_NODE, pipeline_graph

ROOT = Path(__file__).resolve().parents[4]
LAUNCH = ROOT / "launch"
NAMES = ["depth_node", "lidar_fusion_node", "pointcloud_node", "costmap_node"]
DEFAULT_MODEL_ARGUMENTS = {"backend": "fastdepth", "model": "", "device": "auto"}
"""What pipeline.launch.py's backend, model and device arguments give depth_node by default."""


def remappings(graph) -> dict[str, dict[str, str]]:
    return {entry.name: dict(entry.remappings) for entry in graph}


def test_the_full_pipeline_builds_clouds_and_costmap_clearing_from_fused_depth():
    graph = pipeline_graph()
    assert [entry.name for entry in graph] == NAMES
    assert remappings(graph) == {"depth_node": {}, "lidar_fusion_node": {},
                                 "pointcloud_node": {"depth/image": "depth/fused"},
                                 "costmap_node": {"depth/image": "depth/fused",
                                                  "depth/confidence": "depth/fused_confidence"}}
    assert all(not entry.parameters for entry in graph)


def test_without_fusion_or_costmap_those_nodes_are_left_out_and_clouds_read_raw_depth():
    graph = pipeline_graph(use_fusion=False, use_costmap=False)
    assert [entry.name for entry in graph] == ["depth_node", "pointcloud_node"]
    assert remappings(graph)["pointcloud_node"] == {}


def test_input_topics_are_remapped_where_each_node_reads_them():
    inputs = {topic: f"/robot/{topic}" for topic in INPUT_TOPICS}
    graph = remappings(pipeline_graph(inputs=inputs))
    assert graph["depth_node"] == {"image": "/robot/image", "camera_info": "/robot/camera_info"}
    assert graph["lidar_fusion_node"] == {"points_lidar": "/robot/points_lidar", "image": "/robot/image"}
    assert graph["pointcloud_node"] == {"depth/image": "depth/fused", "image": "/robot/image"}
    assert graph["costmap_node"] == {"depth/image": "depth/fused", "depth/confidence": "depth/fused_confidence",
                                     "odom": "/robot/odom"}
    with pytest.raises(ValueError, match="unknown pipeline inputs"):
        pipeline_graph(inputs={"imu": "/imu"})


def test_with_the_sim_the_nodes_read_its_image_and_get_its_sensor_poses():
    graph = pipeline_graph(sim=SimSceneConfig(), inputs={"image": "/ignored"})
    assert [entry.name for entry in graph] == ["sim_scene_node", *NAMES] and graph[0] == SIM_SCENE_NODE
    assert remappings(graph)["depth_node"]["image"] == "image_raw"
    assert remappings(graph)["pointcloud_node"]["image"] == "image_raw"
    assert remappings(graph)["lidar_fusion_node"]["image"] == "image_raw"
    by_name = {entry.name: entry for entry in graph}
    assert by_name["costmap_node"].parameters == {"camera_pose_in_base": [0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5]}
    assert by_name["lidar_fusion_node"].parameters["camera_pose_in_base"] == [0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5]
    lidar_in_camera = transform_from_pose7(by_name["lidar_fusion_node"].parameters["lidar_pose_in_camera"])
    # The LiDAR sits 0.1 m behind and 0.25 m above the camera, which looks along base x: optical z forward, y down.
    np.testing.assert_allclose(apply(lidar_in_camera, np.zeros((1, 3))), [[0.0, -0.25, -0.1]], atol=1e-9)
    np.testing.assert_allclose(apply(lidar_in_camera, np.array([[1.0, 0.0, 0.0]])), [[0.0, -0.25, 0.9]], atol=1e-9)


class Recorded:
    """Stand-in for a launch / launch_ros class: keeps the arguments it was made with."""

    def __init__(self, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs


@pytest.fixture
def launch_stand_ins(monkeypatch):
    """Modules ``launch``, ``launch_ros`` and their submodules the launch files import, made of Recorded classes;
    the package share folder is this source tree."""
    classes = {"launch": ["LaunchDescription"],
               "launch.actions": ["DeclareLaunchArgument", "IncludeLaunchDescription", "OpaqueFunction"],
               "launch.conditions": ["IfCondition"], "launch.substitutions": ["LaunchConfiguration"],
               "launch.launch_description_sources": ["PythonLaunchDescriptionSource"],
               "launch_ros": [], "launch_ros.actions": ["Node"]}
    for module_name, names in classes.items():
        module = types.ModuleType(module_name)
        for name in names:
            setattr(module, name, type(name, (Recorded,), {}))
        monkeypatch.setitem(sys.modules, module_name, module)
    import ament_index_python.packages

    monkeypatch.setattr(ament_index_python.packages, "get_package_share_directory", lambda package: str(ROOT))


def launched_nodes(launch_file: Path, **arguments: str) -> list[Recorded]:
    """The launch_ros Nodes that ``launch_file`` starts with these launch arguments (defaults for the others)."""
    description = runpy.run_path(str(launch_file))["generate_launch_description"]()
    actions = description.args[0]
    values = {action.args[0]: action.kwargs["default_value"] for action in actions
              if type(action).__name__ == "DeclareLaunchArgument"}
    assert set(arguments) <= set(values), f"{launch_file.name} has no argument {set(arguments) - set(values)}"
    context = types.SimpleNamespace(launch_configurations={**values, **arguments})
    return [node for action in actions if type(action).__name__ == "OpaqueFunction"
            for node in action.kwargs["function"](context)]


def test_pipeline_launch_starts_the_graph_with_its_remappings_and_parameters(launch_stand_ins):
    nodes = launched_nodes(LAUNCH / "pipeline.launch.py", namespace="robot", image="/cam/image", device="cpu")
    graph = pipeline_graph(inputs={"image": "/cam/image"}, model={"backend": "fastdepth", "model": "",
                                                                    "device": "cpu"})
    assert [(node.kwargs["executable"], node.kwargs["name"]) for node in nodes] == [(e.executable, e.name)
                                                                                     for e in graph]
    for node, entry in zip(nodes, graph):
        assert node.kwargs["package"] == "monodepth_ros" and node.kwargs["namespace"] == "robot"
        assert dict(node.kwargs["remappings"]) == dict(entry.remappings)
        files, *dictionaries = node.kwargs["parameters"]
        assert files == str(ROOT / "config" / "pipeline.yaml")
        assert dictionaries == [dict(entry.parameters), {"use_sim_time": False}]
    assert nodes[0].kwargs["parameters"][1] == {"backend": "fastdepth", "model": "", "device": "cpu"}


def test_pipeline_launch_leaves_out_fusion_and_costmap_when_asked(launch_stand_ins):
    nodes = launched_nodes(LAUNCH / "pipeline.launch.py", use_fusion="false", use_costmap="false")
    assert [node.kwargs["name"] for node in nodes] == ["depth_node", "pointcloud_node"]


def test_sim_demo_runs_the_pipeline_launch_with_the_sim_and_writes_no_files(launch_stand_ins):
    description = runpy.run_path(str(LAUNCH / "sim_demo.launch.py"))["generate_launch_description"]()
    included = [action for action in description.args[0] if type(action).__name__ == "IncludeLaunchDescription"]
    assert len(included) == 1
    assert included[0].args[0].args[0] == str(LAUNCH / "pipeline.launch.py")
    assert dict(included[0].kwargs["launch_arguments"]) == {"sim": "true"}
    nodes = launched_nodes(LAUNCH / "pipeline.launch.py", sim="true")
    graph = pipeline_graph(sim=SimSceneConfig(), model=DEFAULT_MODEL_ARGUMENTS)
    assert [node.kwargs["name"] for node in nodes] == [entry.name for entry in graph]
    for node, entry in zip(nodes, graph):
        assert dict(node.kwargs["remappings"]) == dict(entry.remappings)
        assert node.kwargs["parameters"][1] == dict(entry.parameters)
    tree = ast.parse((LAUNCH / "sim_demo.launch.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    assert "tempfile" not in imported


@pytest.mark.parametrize("launch_file", ["pipeline.launch.py", "sim_demo.launch.py"])
def test_launch_files_name_no_pipeline_node_themselves(launch_file):
    strings = {node.value for node in ast.walk(ast.parse((LAUNCH / launch_file).read_text()))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not strings & {*NAMES, "sim_scene_node", "depth/fused", "image_raw"}, "the graph names them"


@pytest.mark.parametrize("options", [["--sim"], ["--no-fusion", "--no-costmap"]], ids=["sim", "no_fusion"])
def test_the_runner_creates_the_graph_launch_would_start(ros_context, launch_stand_ins, options):
    from monodepth_ros.ros.runners.pipeline_runner import build_nodes, parse_arguments

    arguments, _ = parse_arguments([*options, "--namespace", "/graph_test"])
    launch_arguments = {"sim": "true"} if "--sim" in options else {"use_fusion": "false", "use_costmap": "false"}
    launched = launched_nodes(LAUNCH / "pipeline.launch.py", namespace="/graph_test", **launch_arguments)
    nodes = build_nodes(arguments)
    try:
        assert [node.get_name() for node in nodes] == [launch.kwargs["name"] for launch in launched]
        for node, launch in zip(nodes, launched):
            assert node.get_namespace() == "/graph_test"
            for source, target in launch.kwargs["remappings"]:
                assert node.resolve_topic_name(source) == node.resolve_topic_name(target), (node.get_name(), source)
            overrides = launch.kwargs["parameters"][1]
            for name, value in overrides.items():
                if name not in ("backend", "model", "device"):  # launch arguments; the runner takes -p
                    np.testing.assert_allclose(node.get_parameter(name).value, value, err_msg=name)
    finally:
        for node in nodes:
            node.destroy_node()


def test_without_autostart_the_processing_nodes_wait_for_lifecycle_transitions_and_the_sim_runs():
    graph = pipeline_graph(sim=SimSceneConfig(), autostart=False)
    by_name = {entry.name: entry for entry in graph}
    assert not by_name["sim_scene_node"].managed and "autostart" not in by_name["sim_scene_node"].parameters
    assert all(by_name[name].managed and by_name[name].parameters["autostart"] is False for name in NAMES)
    assert by_name["costmap_node"].parameters["camera_pose_in_base"], "the other parameters stay"


def test_pipeline_launch_starts_lifecycle_node_actions_when_asked(launch_stand_ins, monkeypatch):
    actions = sys.modules["launch_ros.actions"]
    monkeypatch.setattr(actions, "LifecycleNode", type("LifecycleNode", (Recorded,), {}), raising=False)
    nodes = launched_nodes(LAUNCH / "pipeline.launch.py", sim="true", use_lifecycle="true", autostart="false")
    assert [(type(node).__name__, node.kwargs["name"]) for node in nodes] == [
        ("Node", "sim_scene_node"), *[("LifecycleNode", name) for name in NAMES]]
    assert all(node.kwargs["parameters"][1]["autostart"] is False for node in nodes[1:])
    assert all(node.kwargs["namespace"] == "" for node in nodes), "LifecycleNode needs name and namespace"
    plain = launched_nodes(LAUNCH / "pipeline.launch.py")
    assert {type(node).__name__ for node in plain} == {"Node"}
    assert not any("autostart" in node.kwargs["parameters"][1] for node in plain), "the files decide by default"


def test_the_runner_without_autostart_creates_unconfigured_managed_nodes(ros_context, launch_stand_ins):
    from monodepth_ros.ros.runners.pipeline_runner import build_nodes, parse_arguments

    arguments, _ = parse_arguments(["--no-autostart", "--no-costmap", "--namespace", "/graph_lifecycle"])
    nodes = build_nodes(arguments)
    try:
        assert [(node.get_name(), node.lifecycle_state) for node in nodes] == [
            ("depth_node", "unconfigured"), ("lidar_fusion_node", "unconfigured"),
            ("pointcloud_node", "unconfigured")]
        assert not any(publisher.topic_name.endswith("depth/image") for publisher in nodes[0].publishers)
    finally:
        for node in nodes:
            node.destroy_node()


def resolved(value, configurations: dict[str, str]):
    """A launch value made of LaunchConfiguration stand-ins, strings and lists of them, as launch resolves it."""
    if isinstance(value, Recorded):
        return configurations[value.args[0]]
    if isinstance(value, list):
        return "".join(resolved(part, configurations) for part in value)
    return value


@pytest.mark.parametrize("namespace", ["", "robot1"])
def test_gazebo_bridge_publishes_where_the_pipeline_subscribes(ros_context, launch_stand_ins, namespace):
    rclpy = ros_context
    description = runpy.run_path(str(LAUNCH / "gazebo.launch.py"))["generate_launch_description"]()
    actions = description.args[0]
    configurations = {action.args[0]: action.kwargs["default_value"] for action in actions
                      if type(action).__name__ == "DeclareLaunchArgument"} | {"namespace": namespace}
    bridge = next(action for action in actions if type(action).__name__ == "Node")
    included = next(action for action in actions if type(action).__name__ == "IncludeLaunchDescription")
    pipeline_arguments = {name: resolved(value, configurations)
                          for name, value in included.kwargs["launch_arguments"]}
    assert included.args[0].args[0] == str(LAUNCH / "pipeline.launch.py")
    pipeline = {node.kwargs["name"]: node for node in launched_nodes(LAUNCH / "pipeline.launch.py",
                                                                      **pipeline_arguments)}
    assert {node.kwargs["namespace"] for node in pipeline.values()} == {namespace}

    def ros_node(action, name):
        rules = [argument for source, target in action.kwargs["remappings"]
                 for argument in ("-r", f"{resolved(source, configurations)}:={resolved(target, configurations)}")]
        return rclpy.create_node(name, namespace=resolved(action.kwargs["namespace"], configurations) or "/",
                                 cli_args=["--ros-args", *rules] if rules else None)

    bridge_node = ros_node(bridge, "monodepth_gz_bridge")
    readers = {name: ros_node(pipeline[name], name) for name in ("depth_node", "lidar_fusion_node", "costmap_node")}
    try:
        # parameter_bridge names each ROS topic after its Gazebo topic: the part of "<topic>@<type>[<gz type>" before @
        published = {bridge_node.resolve_topic_name(resolved(argument, configurations).split("@")[0])
                     for argument in bridge.kwargs["arguments"]}
        prefix = f"/{namespace}" if namespace else ""
        expected = {readers["depth_node"].resolve_topic_name("image"),
                    readers["depth_node"].resolve_topic_name("camera_info"),
                    readers["lidar_fusion_node"].resolve_topic_name("points_lidar"),
                    readers["costmap_node"].resolve_topic_name("odom")}
        assert expected == {f"{prefix}/gz/image", f"{prefix}/gz/camera_info", f"{prefix}/gz/points_lidar",
                            f"{prefix}/gz/odom"}
        assert published == expected | {"/clock"}
    finally:
        for node in [bridge_node, *readers.values()]:
            node.destroy_node()
