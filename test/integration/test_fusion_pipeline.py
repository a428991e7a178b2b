"""sim_scene_node -> depth_node -> lidar_fusion_node -> pointcloud_node, each in its own process.

The fused depth and the cloud must agree with the scene's ground truth; the raw model depth (an indoor
network on a synthetic scene) does not have to. A relative inverse-depth ONNX model becomes metric too.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import Image, PointCloud2

from monodepth_ros.core.depth.weights_cache import fastdepth_model_path
from monodepth_ros.core.eval.metrics import depth_metrics
from monodepth_ros.core.sim.config import SimSceneConfig, lidar_pose_in_camera
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import depth_image_to_metres
from monodepth_ros.ros.conversions.pointcloud2 import pointcloud2_to_xyz

NAMESPACE = "/robot"
WIDTH, HEIGHT = 320, 240
FUSED_ABS_REL_MAX = 0.06
CLOUD_MEDIAN_REL_ERROR_MAX = 0.03


RELATIVE_FUSED_ABS_REL_MAX = 0.08


def start_pipeline(node_processes, **depth_parameters):
    """The four nodes in their own processes; ``depth_parameters`` go to depth_node."""
    config = SimSceneConfig(image_width=WIDTH, image_height=HEIGHT)
    return [
        node_processes("monodepth_ros.ros.nodes.sources.sim_scene_node", NAMESPACE,
                       {"image_width": WIDTH, "image_height": HEIGHT, "rate_hz": 5.0}),
        node_processes("monodepth_ros.ros.nodes.depth.depth_node", NAMESPACE, depth_parameters,
                       remappings={"image": "image_raw"}),
        node_processes("monodepth_ros.ros.nodes.depth.lidar_fusion_node", NAMESPACE,
                       {"lidar_pose_in_camera": lidar_pose_in_camera(config)}),
        node_processes("monodepth_ros.ros.nodes.navigation.pointcloud_node", NAMESPACE, remappings={"depth/image": "depth/fused"}),
    ]


def relative_inverse_onnx(path: Path) -> Path:
    """The embedded FastDepth network followed by 3 / depth + 0.2: a model of relative inverse depth
    (unknown scale and shift), like MiDaS or Depth Anything relative."""
    model = onnx.load(str(fastdepth_model_path()))
    depth_output = model.graph.output[0].name
    model.graph.initializer.extend([numpy_helper.from_array(np.array(3.0, np.float32), "relative_scale"),
                                    numpy_helper.from_array(np.array(0.2, np.float32), "relative_shift")])
    model.graph.node.extend([
        helper.make_node("Reciprocal", [depth_output], ["inverse_depth"]),
        helper.make_node("Mul", ["inverse_depth", "relative_scale"], ["scaled_inverse_depth"]),
        helper.make_node("Add", ["scaled_inverse_depth", "relative_shift"], ["relative_inverse_depth"])])
    del model.graph.output[:]
    model.graph.output.append(helper.make_tensor_value_info("relative_inverse_depth", onnx.TensorProto.FLOAT,
                                                            [1, 1, 224, 224]))
    onnx.save(model, str(path))
    return path


def record(probe, topics: dict[str, tuple[str, type]]) -> dict[str, dict[int, object]]:
    """Messages of each topic under NAMESPACE, by stamp."""
    received: dict[str, dict[int, object]] = {key: {} for key in topics}
    for key, (topic, message_type) in topics.items():
        probe.create_subscription(message_type, f"{NAMESPACE}/{topic}",
                                  lambda msg, key=key: received[key].__setitem__(stamp_ns(msg.header), msg),
                                  qos(ReliabilityPolicy.RELIABLE, depth=20))
    return received


def complete_stamps(received: dict[str, dict[int, object]]) -> list[int]:
    return sorted(set.intersection(*(set(messages) for messages in received.values())))


def test_relative_inverse_depth_model_becomes_metric_through_the_fusion_node(node_processes, test_nodes, tmp_path):
    pipeline = start_pipeline(node_processes, backend="onnx", output="relative_inverse_depth",
                              model=str(relative_inverse_onnx(tmp_path / "relative_inverse.onnx")))
    probe = test_nodes("relative_pipeline_probe")
    received = record(probe, {"ground_truth": ("depth/ground_truth", Image),
                               "relative": ("depth/relative_inverse", Image), "fused": ("depth/fused", Image)})
    metric_depth = record(probe, {"depth": ("depth/image", Image)})
    def fitted_stamps() -> list[int]:
        """Complete stamps whose fused depth holds metres: a frame without a matched LiDAR cloud (and no
        fit to hold yet) is published all-NaN (FusionStatus.NO_DEPTH)."""
        return [stamp for stamp in complete_stamps(received)
                if np.isfinite(depth_image_to_metres(received["fused"][stamp])).any()]

    ok = spin_until(probe, lambda: len(fitted_stamps()) >= 5, 120.0)
    assert ok, "\n".join(node.log(20) for node in pipeline)
    fused_abs_rel = [depth_metrics(depth_image_to_metres(received["fused"][stamp]),
                                   depth_image_to_metres(received["ground_truth"][stamp]))["abs_rel"]
                     for stamp in fitted_stamps()[1:]]
    print(f"relative model: fused abs_rel {np.median(fused_abs_rel):.3f}")
    assert np.median(fused_abs_rel) <= RELATIVE_FUSED_ABS_REL_MAX
    assert not metric_depth["depth"], "a relative model never publishes metres on depth/image"


def test_fused_depth_and_cloud_agree_with_the_ground_truth(node_processes, test_nodes):
    pipeline = start_pipeline(node_processes)
    probe = test_nodes("pipeline_probe")
    received = record(probe, {"ground_truth": ("depth/ground_truth", Image), "raw": ("depth/image", Image),
                              "fused": ("depth/fused", Image), "points": ("points", PointCloud2)})
    ok = spin_until(probe, lambda: len(complete_stamps(received)) >= 6, 120.0)
    logs = "\n".join(node.log()[-2000:] for node in pipeline)
    assert ok, f"pipeline produced {[len(m) for m in received.values()]} messages\n{logs}"
    assert all(node.alive() for node in pipeline), logs
    intrinsics = SimScene(SimSceneConfig(image_width=WIDTH, image_height=HEIGHT)).intrinsics
    raw_abs_rel, fused_abs_rel, cloud_errors = [], [], []
    for stamp in complete_stamps(received)[2:]:
        truth = depth_image_to_metres(received["ground_truth"][stamp])
        raw_abs_rel.append(depth_metrics(depth_image_to_metres(received["raw"][stamp]), truth)["abs_rel"])
        fused = depth_image_to_metres(received["fused"][stamp])
        fused_abs_rel.append(depth_metrics(fused, truth)["abs_rel"])
        xyz = pointcloud2_to_xyz(received["points"][stamp])
        assert received["points"][stamp].header.frame_id == received["fused"][stamp].header.frame_id
        u = np.rint(xyz[:, 0] / xyz[:, 2] * intrinsics.fx + intrinsics.cx).astype(int)
        v = np.rint(xyz[:, 1] / xyz[:, 2] * intrinsics.fy + intrinsics.cy).astype(int)
        truth_at_points = truth[v, u]
        valid = np.isfinite(truth_at_points)
        cloud_errors.append(np.median(np.abs(xyz[valid, 2] - truth_at_points[valid]) / truth_at_points[valid]))
    print(f"raw abs_rel {np.median(raw_abs_rel):.3f}, fused abs_rel {np.median(fused_abs_rel):.3f}, "
          f"cloud median relative error {np.median(cloud_errors):.3f}")
    assert np.median(fused_abs_rel) <= FUSED_ABS_REL_MAX
    assert np.median(fused_abs_rel) < np.median(raw_abs_rel)
    assert np.median(cloud_errors) <= CLOUD_MEDIAN_REL_ERROR_MAX
