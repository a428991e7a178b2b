"""All pipeline nodes in one process on a MultiThreadedExecutor, for machines without `ros2 launch`.

monodepth-pipeline --params-file config/pipeline.yaml [--sim] [--no-fusion] [--no-costmap] [--no-autostart]
    [--namespace NS] [--ros-args -r image:=/camera/image_raw -r camera_info:=/camera/camera_info ...]
The nodes, their names and remappings come from pipeline_graph, as in launch/pipeline.launch.py. The processing
nodes are managed nodes: with --no-autostart they wait unconfigured for lifecycle transitions
(`ros2 lifecycle set /depth_node configure`, a lifecycle manager); the process exits once all are shut down.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter

from monodepth_ros.ros.common.share_files import share_file
from monodepth_ros.ros.runners.node_runner import init_ros, run_nodes, start_failure
from monodepth_ros.ros.runners.pipeline_graph import SIM_SCENE_NODE, GraphNode, pipeline_graph


def parse_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Split our options from the ROS arguments that follow ``--ros-args``."""
    ros_arguments = argv[argv.index("--ros-args"):] if "--ros-args" in argv else []
    own = argv[:len(argv) - len(ros_arguments)]
    parser = argparse.ArgumentParser(prog="monodepth-pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--params-file", type=Path, default=None,
                        help="ROS parameters file with one section per node (default: config/pipeline.yaml)")
    parser.add_argument("--sim", action="store_true", help="also run sim_scene_node as the camera and LiDAR")
    parser.add_argument("--no-fusion", action="store_true", help="no lidar_fusion_node (clouds from raw depth)")
    parser.add_argument("--no-costmap", action="store_true", help="no costmap_node")
    parser.add_argument("--no-autostart", action="store_true",
                        help="processing nodes start unconfigured and wait for lifecycle transitions")
    parser.add_argument("--namespace", default="", help="namespace of every node and topic")
    arguments = parser.parse_args(own)
    arguments.params_file = arguments.params_file or share_file("config/pipeline.yaml")
    if not arguments.params_file.is_file():
        parser.error(f"parameters file not found: {arguments.params_file}")
    return arguments, ros_arguments


def remap(*pairs: tuple[str, str]) -> list[str]:
    """Node-local remapping arguments."""
    arguments = ["--ros-args"]
    for source, target in pairs:
        arguments += ["-r", f"{source}:={target}"]
    return arguments if pairs else []


def create_node(entry: GraphNode, namespace: str) -> Node:
    """The node ``entry`` describes, in ``namespace``, with its remappings and parameters."""
    node_type = getattr(importlib.import_module(entry.module), entry.node_class)
    return node_type(namespace=namespace, cli_args=remap(*entry.remappings),
                     parameter_overrides=[Parameter(name, value=value) for name, value in entry.parameters.items()])


def build_nodes(arguments: argparse.Namespace) -> list[Node]:
    """Create the pipeline's nodes (pipeline_graph); with --sim the sensor poses come from the sim's parameters."""
    nodes: list[Node] = []
    sim_config = None
    if arguments.sim:
        nodes.append(create_node(SIM_SCENE_NODE, arguments.namespace))
        sim_config = nodes[0].scene.config
    for entry in pipeline_graph(not arguments.no_fusion, not arguments.no_costmap, sim=sim_config,
                                autostart=not arguments.no_autostart):
        if entry != SIM_SCENE_NODE:
            nodes.append(create_node(entry, arguments.namespace))
    return nodes


def main(argv: list[str] | None = None) -> int:
    arguments, ros_arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    rclpy_args = ["monodepth-pipeline", "--ros-args", "--params-file", str(arguments.params_file),
                  *ros_arguments[1:]]
    try:
        init_ros(rclpy_args)
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        return start_failure(error, "monodepth_pipeline")
    return run_nodes(lambda: build_nodes(arguments), MultiThreadedExecutor(num_threads=4),
                     logger_name="monodepth_pipeline")


if __name__ == "__main__":
    raise SystemExit(main())
