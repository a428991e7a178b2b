"""The pipeline's graph, written once: which nodes run, their names, their remappings and the parameters set on
top of the parameters files (the sim's sensor poses, the model chosen at launch).

Plain data, importable without ``launch`` and without rclpy: launch/pipeline.launch.py (and sim_demo.launch.py
through it) turns every entry into a launch_ros ``Node``, and ``monodepth-pipeline`` (pipeline_runner) creates the
same nodes in one process.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from monodepth_ros.core.sim.config import SimSceneConfig, lidar_pose_in_camera
from monodepth_ros.ros.nodes import NODE_MODULES

PACKAGE = "monodepth_ros"
INPUT_TOPICS = ("image", "camera_info", "points_lidar", "odom")
"""What the pipeline reads from the robot: camera image and camera_info, LiDAR cloud, odometry."""
SIM_IMAGE_TOPIC = "image_raw"
"""Where sim_scene_node publishes its camera image."""
AUTOSTART_PARAMETER = "autostart"
"""The managed nodes' parameter that says whether they configure and activate themselves (shared_parameters)."""


@dataclass(frozen=True)
class GraphNode:
    """One node of the pipeline.

    ``executable`` is its console script, its node name and its module in ``NODE_MODULES``;
    ``node_class`` is the node's class in that module. ``remappings`` are (from, to) topic pairs of this node
    only; ``parameters`` are set on top of the parameters files. ``managed``: a lifecycle node (the processing
    nodes); sim_scene_node, the stand-in for a camera and LiDAR driver, is a plain node.
    """

    executable: str
    node_class: str
    remappings: tuple[tuple[str, str], ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    managed: bool = True

    @property
    def name(self) -> str:
        return self.executable

    @property
    def module(self) -> str:
        return NODE_MODULES[self.executable]


SIM_SCENE_NODE = GraphNode("sim_scene_node", "SimSceneNode", managed=False)


def _remappings(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """The pairs that change a name (a topic remapped to itself is left alone, so global remappings apply)."""
    return tuple((source, target) for source, target in pairs if source != target)


def pipeline_graph(use_fusion: bool = True, use_costmap: bool = True, sim: SimSceneConfig | None = None,
                   inputs: Mapping[str, str] | None = None,
                   model: Mapping[str, Any] | None = None, autostart: bool = True) -> tuple[GraphNode, ...]:
    """The nodes of the pipeline in start order.

    ``use_fusion``: lidar_fusion_node runs and clouds and costmap clearing read ``depth/fused``, else
    ``depth/image``. ``sim``: sim_scene_node runs first with this scene as camera and LiDAR; ``image`` is then read
    from its ``image_raw``, and lidar_fusion_node and costmap_node get its sensor poses (``lidar_pose_in_camera``,
    ``camera_pose_in_base``; tf2 is still preferred where the sim publishes TF). ``inputs``: topic names for the
    ``INPUT_TOPICS`` (a missing one is not remapped). ``model``: depth_node parameters set on top of the files.
    ``autostart`` false: the managed nodes get ``autostart: false`` and wait unconfigured for lifecycle
    transitions (true leaves the parameter to the files, whose default is true).
    """
    unknown = sorted(set(inputs or {}) - set(INPUT_TOPICS))
    if unknown:
        raise ValueError(f"unknown pipeline inputs {unknown}; expected some of {', '.join(INPUT_TOPICS)}")
    topics = {topic: topic for topic in INPUT_TOPICS} | dict(inputs or {})
    if sim is not None:
        topics["image"] = SIM_IMAGE_TOPIC
    clouds_from = "depth/fused" if use_fusion else "depth/image"
    confidence_from = "depth/fused_confidence" if use_fusion else "depth/confidence"
    nodes = [SIM_SCENE_NODE] if sim is not None else []
    nodes.append(GraphNode("depth_node", "DepthNode",
                           _remappings(("image", topics["image"]), ("camera_info", topics["camera_info"])),
                           dict(model or {})))
    if use_fusion:
        nodes.append(GraphNode("lidar_fusion_node", "LidarFusionNode",
                               _remappings(("points_lidar", topics["points_lidar"]), ("image", topics["image"])),
                               {} if sim is None else {"lidar_pose_in_camera": lidar_pose_in_camera(sim),
                                                        "camera_pose_in_base": list(sim.camera_pose_in_base)}))
    nodes.append(GraphNode("pointcloud_node", "PointCloudNode",
                           _remappings(("depth/image", clouds_from), ("image", topics["image"]))))
    if use_costmap:
        nodes.append(GraphNode("costmap_node", "CostmapNode",
                               _remappings(("depth/image", clouds_from), ("depth/confidence", confidence_from),
                                           ("odom", topics["odom"])),
                               {} if sim is None else {"camera_pose_in_base": list(sim.camera_pose_in_base)}))
    if not autostart:
        nodes = [replace(entry, parameters={**entry.parameters, AUTOSTART_PARAMETER: False}) if entry.managed
                 else entry for entry in nodes]
    return tuple(nodes)
