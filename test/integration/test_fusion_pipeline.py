"""sim_scene_node -> depth_node -> lidar_fusion_node -> pointcloud_node, each in its own process.

The fused depth and the cloud must agree with the scene's ground truth; the raw model depth (an indoor
network on a synthetic scene) does not have to.
"""
from __future__ import annotations

import numpy as np
import pytest
from rclpy.qos import ReliabilityPolicy
from sensor_msgs.msg import Image, PointCloud2

from monodepth_ros.core.metrics import depth_metrics
from monodepth_ros.core.sim_scene import SimScene, SimSceneConfig, pipeline_extrinsics
from monodepth_ros.ros.conversions import depth_image_to_metres, pointcloud2_to_xyz, stamp_ns
from ros_helpers import qos, spin_until

NAMESPACE = "/robot"
WIDTH, HEIGHT = 320, 240
FUSED_ABS_REL_MAX = 0.06
CLOUD_MEDIAN_REL_ERROR_MAX = 0.03


@pytest.fixture
def pipeline(node_processes):
    config = SimSceneConfig(image_width=WIDTH, image_height=HEIGHT)
    return [
        node_processes("monodepth_ros.ros.sim_scene_node", NAMESPACE,
                       {"image_width": WIDTH, "image_height": HEIGHT, "rate_hz": 5.0}),
        node_processes("monodepth_ros.ros.depth_node", NAMESPACE, remappings={"image": "image_raw"}),
        node_processes("monodepth_ros.ros.lidar_fusion_node", NAMESPACE,
                       {"lidar_pose_in_camera": pipeline_extrinsics(config)["lidar_pose_in_camera"]}),
        node_processes("monodepth_ros.ros.pointcloud_node", NAMESPACE, remappings={"depth/image": "depth/fused"}),
    ]


def test_fused_depth_and_cloud_agree_with_the_ground_truth(pipeline, test_nodes):
    probe = test_nodes("pipeline_probe")
    received: dict[str, dict[int, object]] = {"ground_truth": {}, "raw": {}, "fused": {}, "points": {}}
    topics = {"ground_truth": ("depth/ground_truth", Image), "raw": ("depth/image", Image),
              "fused": ("depth/fused", Image), "points": ("points", PointCloud2)}
    for key, (topic, message_type) in topics.items():
        probe.create_subscription(message_type, f"{NAMESPACE}/{topic}",
                                  lambda msg, key=key: received[key].__setitem__(stamp_ns(msg.header), msg),
                                  qos(ReliabilityPolicy.RELIABLE, depth=20))

    def complete_stamps() -> list[int]:
        return sorted(set.intersection(*(set(messages) for messages in received.values())))

    ok = spin_until(probe, lambda: len(complete_stamps()) >= 6, 120.0)
    logs = "\n".join(node.log()[-2000:] for node in pipeline)
    assert ok, f"pipeline produced {[len(m) for m in received.values()]} messages\n{logs}"
    assert all(node.alive() for node in pipeline), logs
    intrinsics = SimScene(SimSceneConfig(image_width=WIDTH, image_height=HEIGHT)).intrinsics
    raw_abs_rel, fused_abs_rel, cloud_errors = [], [], []
    for stamp in complete_stamps()[2:]:
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
