"""All pipeline nodes in one process on a MultiThreadedExecutor, for machines without `ros2 launch`.

monodepth-pipeline --params-file config/pipeline.yaml [--sim] [--no-fusion] [--no-costmap]
    [--namespace NS] [--ros-args -r image:=/camera/image_raw -r camera_info:=/camera/camera_info ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter

from monodepth_ros.ros.common.share_files import share_file
from monodepth_ros.ros.runners.node_runner import init_ros, run_nodes


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


def build_nodes(arguments: argparse.Namespace) -> list[Node]:
    """Create the pipeline's nodes; with --sim the sensor extrinsics come from the sim's parameters."""
    from monodepth_ros.ros.nodes.costmap_node import CostmapNode
    from monodepth_ros.ros.nodes.depth_node import DepthNode
    from monodepth_ros.ros.nodes.lidar_fusion_node import LidarFusionNode
    from monodepth_ros.ros.nodes.pointcloud_node import PointCloudNode

    namespace = arguments.namespace
    depth_topic = "depth/image" if arguments.no_fusion else "depth/fused"
    nodes: list[Node] = []
    fusion_overrides: list[Parameter] = []
    costmap_overrides: list[Parameter] = []
    camera_remaps: tuple[tuple[str, str], ...] = ()
    if arguments.sim:
        from monodepth_ros.core.sim.config import pipeline_extrinsics
        from monodepth_ros.ros.nodes.sim_scene_node import SimSceneNode

        sim = SimSceneNode(namespace=namespace)
        nodes.append(sim)
        camera_remaps = (("image", "image_raw"),)
        extrinsics = pipeline_extrinsics(sim.scene.config)
        fusion_overrides = [Parameter("lidar_pose_in_camera", value=extrinsics["lidar_pose_in_camera"])]
        costmap_overrides = [Parameter("camera_pose_in_base", value=extrinsics["camera_pose_in_base"])]
    nodes.append(DepthNode(namespace=namespace, cli_args=remap(*camera_remaps)))
    if not arguments.no_fusion:
        nodes.append(LidarFusionNode(namespace=namespace, parameter_overrides=fusion_overrides))
    nodes.append(PointCloudNode(namespace=namespace, cli_args=remap(("depth/image", depth_topic), *camera_remaps)))
    if not arguments.no_costmap:
        nodes.append(CostmapNode(namespace=namespace, parameter_overrides=costmap_overrides,
                                 cli_args=remap(("depth/image", depth_topic))))
    return nodes


def main(argv: list[str] | None = None) -> int:
    arguments, ros_arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    rclpy_args = ["monodepth-pipeline", "--ros-args", "--params-file", str(arguments.params_file),
                  *ros_arguments[1:]]
    init_ros(rclpy_args)
    return run_nodes(lambda: build_nodes(arguments), MultiThreadedExecutor(num_threads=4),
                     logger_name="monodepth_pipeline")


if __name__ == "__main__":
    raise SystemExit(main())
