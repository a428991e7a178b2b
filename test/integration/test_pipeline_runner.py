"""The whole pipeline in one process (monodepth-pipeline --sim), checked from this process over real DDS:
costmap against the scene's ground truth, free space cleared when an obstacle leaves, and RViz topics."""
from __future__ import annotations

import numpy as np
import pytest
import yaml
from ros_helpers import REPO_ROOT, spin_until

from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.ros.conversions.occupancy_grid import occupancy_grid_to_array
from monodepth_ros.testing.pipeline_recorder import (
    STAGES,
    PipelineRecorder,
    costmap_iou,
    depth_abs_rel,
    visible_obstacles,
    world_from_base,
)

COSTMAP = CostmapConfig()
LIMITS = (COSTMAP.min_obstacle_height_m, COSTMAP.max_obstacle_height_m, COSTMAP.obstacle_max_range_m)
COSTMAP_IOU_MIN = 0.72
"""With LiDAR the demo's costmap IoU was 0.857, 0.857 and 0.872 over three runs of 20 s (docs/benchmarks.md); over
this test's 20 frames the median was 0.78 and 0.77 in two runs and at least 0.8 in another. 0.72 leaves about 0.05
below 0.77 for the short window and the load of a shared machine (before the height bands the test asserted 0.7
for a demo IoU of 0.76 to 0.81)."""
FUSED_ABS_REL_MAX = 0.08
GROUND_PLANE_IOU_MIN = 0.6
"""Without LiDAR (scale_source ground_plane) the demo's costmap IoU was 0.73 to 0.77 over three runs (median 0.75,
docs/benchmarks.md) and 0.73 over this test's 20 frames; 0.6 leaves about 0.13 below for the short window, whose
first seconds hold the frames where the floor fit is poorest."""
GROUND_PLANE_ABS_REL_RATIO_MAX = 0.5
"""The floor must at least halve the raw depth's abs_rel (the demo: 0.33 -> 0.045)."""
VISITOR_DISTANCE_M, VISITOR_LEAVES_S = 1.5, 8.0
SETTLE_S = 3.0
LETHAL = 100


@pytest.fixture
def probe(test_nodes):
    return test_nodes("pipeline_runner_probe")


def start_pipeline(node_processes, namespace: str, **sim_parameters):
    """monodepth-pipeline --sim in its own process; ``sim_parameters`` go to sim_scene_node."""
    return node_processes("monodepth_ros.ros.runners.pipeline_runner", namespace, sim_parameters,
                          arguments=("--sim", "--namespace", namespace))


def test_costmap_matches_the_obstacles_in_view_and_rviz_topics_exist(node_processes, probe):
    namespace = "/runner_test"
    pipeline = start_pipeline(node_processes, namespace, rate_hz=5.0)
    recorder = PipelineRecorder(probe, namespace)
    every_key = (*STAGES, "ground_truth", "odom")
    try:
        assert spin_until(probe, lambda: len(recorder.frames_with(every_key)) >= 25, 150.0), pipeline.log(40)
        topics = {name for name, _ in probe.get_topic_names_and_types()}
    finally:
        pipeline.stop()
    frames = recorder.frames_with(every_key)[5:]
    scene = SimScene(SimSceneConfig())
    ious = [costmap_iou(frame["costmap"].message, *visible_obstacles(
        scene, frame["costmap"].message, frame["odom"].message, *LIMITS)) for frame in frames]
    fused, raw = depth_abs_rel(frames, "fused"), depth_abs_rel(frames, "depth")
    print(f"costmap IoU median {np.nanmedian(ious):.3f}, fused abs_rel {fused:.3f}, raw abs_rel {raw:.3f}")
    assert np.nanmedian(ious) >= COSTMAP_IOU_MIN
    assert fused <= FUSED_ABS_REL_MAX < raw
    rviz_config = yaml.safe_load((REPO_ROOT / "rviz" / "monodepth.rviz").read_text())
    rviz_topics = [display["Topic"]["Value"] for display in rviz_config["Visualization Manager"]["Displays"]
                   if "Topic" in display]
    assert len(rviz_topics) >= 6
    missing = [topic for topic in rviz_topics if f"{namespace}/{topic}" not in topics]
    assert not missing, f"RViz shows topics nobody publishes: {missing}"


def test_without_lidar_the_ground_plane_gives_a_costmap_and_halves_the_depth_error(node_processes, probe):
    namespace = "/ground_plane_test"
    pipeline = start_pipeline(node_processes, namespace, rate_hz=5.0, publish_lidar=False,
                              scale_source="ground_plane")
    recorder = PipelineRecorder(probe, namespace)
    every_key = (*STAGES, "ground_truth", "odom")
    try:
        assert spin_until(probe, lambda: len(recorder.frames_with(every_key)) >= 25, 150.0), pipeline.log(40)
    finally:
        pipeline.stop()
    frames = recorder.frames_with(every_key)[5:]
    scene = SimScene(SimSceneConfig())
    ious = [costmap_iou(frame["costmap"].message, *visible_obstacles(
        scene, frame["costmap"].message, frame["odom"].message, *LIMITS)) for frame in frames]
    fused, raw = depth_abs_rel(frames, "fused"), depth_abs_rel(frames, "depth")
    print(f"ground plane: costmap IoU median {np.nanmedian(ious):.3f}, abs_rel {raw:.3f} -> {fused:.3f}")
    assert np.nanmedian(ious) >= GROUND_PLANE_IOU_MIN
    assert fused <= GROUND_PLANE_ABS_REL_RATIO_MAX * raw


def test_free_space_is_cleared_when_an_obstacle_leaves(node_processes, probe):
    namespace = "/visitor_test"
    pipeline = start_pipeline(node_processes, namespace, rate_hz=5.0, path_speed_mps=0.0,
                              visitor_distance_m=VISITOR_DISTANCE_M, visitor_leaves_s=VISITOR_LEAVES_S)
    recorder = PipelineRecorder(probe, namespace)
    scene = SimScene(SimSceneConfig(path_speed_mps=0.0, visitor_distance_m=VISITOR_DISTANCE_M,
                                    visitor_leaves_s=VISITOR_LEAVES_S))

    def visitor_cells(frame) -> np.ndarray:
        scene.set_time(0.0)
        costmap = frame["costmap"].message
        pose = world_from_base(frame["odom"].message)
        with_visitor = scene.occupancy_grid(pose, costmap.info.resolution,
                                            costmap.info.width * costmap.info.resolution, *LIMITS[:2])
        scene.set_time(VISITOR_LEAVES_S)
        without = scene.occupancy_grid(pose, costmap.info.resolution,
                                       costmap.info.width * costmap.info.resolution, *LIMITS[:2])
        return with_visitor & ~without

    def front_values(frame) -> np.ndarray:
        """Costmap values of the visitor's front face (the two cells nearest the robot in each row)."""
        cells = visitor_cells(frame)
        return occupancy_grid_to_array(frame["costmap"].message)[cells & (np.cumsum(cells, axis=1) <= 2)]

    def lethal_share(frame) -> float:
        return float((front_values(frame) == LETHAL).mean())

    try:
        keys = ("costmap", "odom")
        assert spin_until(probe, lambda: any(lethal_share(f) > 0.5 for f in recorder.frames_with(keys)), 120.0), \
            pipeline.log(40)
        seen = max(lethal_share(frame) for frame in recorder.frames_with(keys))
        assert spin_until(probe, lambda: lethal_share(recorder.frames_with(keys)[-1]) == 0.0, 60.0), pipeline.log(40)
        spin_until(probe, lambda: False, SETTLE_S)
        last = recorder.frames_with(keys)[-1]
    finally:
        pipeline.stop()
    footprint = occupancy_grid_to_array(last["costmap"].message)[visitor_cells(last)]
    front = front_values(last)
    print(f"visitor front cells lethal while it stood: {seen:.2f}; after it left: "
          f"lethal {np.mean(front == LETHAL):.2f}, observed {np.mean(front >= 0):.2f}, values {front.tolist()}")
    assert not (footprint == LETHAL).any(), "no lethal cell is left where the visitor stood"
    assert (front >= 0).all(), "its front cells are observed (free, or inflated by other obstacles), not unknown"
