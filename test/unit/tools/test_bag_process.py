"""monodepth-bag's choices: output topics under the camera's namespace, extrinsics by priority, node defaults."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.transforms import transform_from_pose7
from monodepth_ros.core.sources.bag_file import (
    LATCHED_QOS,
    TF_STATIC_TOPIC,
    TF_TYPE,
    BagReader,
    BagWriter,
    tf_static_cdr,
)
from monodepth_ros.tools.bag.process import FUSION, InputTopics, chain_config, output_topics, resolve_extrinsics

BASE_FROM_CAMERA = transform_from_pose7([0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5])


@pytest.mark.parametrize("image, namespace", [("/robot/front/image_raw", "/robot/front"), ("/image", "")])
def test_outputs_go_under_the_namespace_of_the_image_topic(image, namespace):
    topics = InputTopics(image, "/x/camera_info", None, None)
    assert topics.namespace == namespace
    assert output_topics(topics.namespace, "depth/image") == {
        "depth": f"{namespace}/depth/image", "depth_info": f"{namespace}/depth/camera_info",
        "fused": f"{namespace}/depth/fused", "points": f"{namespace}/points", "costmap": f"{namespace}/costmap"}


def test_an_option_beats_tf_static_which_beats_the_node_default(tmp_path):
    with BagWriter(tmp_path / "bag") as writer:
        writer.add_topic(TF_STATIC_TOPIC, TF_TYPE, LATCHED_QOS)
        writer.write(TF_STATIC_TOPIC, 1, tf_static_cdr([("base_link", "camera", BASE_FROM_CAMERA)], 1))
    with BagReader(tmp_path / "bag") as reader:
        from_tf = resolve_extrinsics(reader, "camera", "lidar", "base_link", None, None)
        given = resolve_extrinsics(reader, "camera", "lidar", "base_link", [1, 2, 3, 0, 0, 0, 1], None)
    assert from_tf.sources == {"lidar_pose_in_camera": "default", "camera_pose_in_base": "/tf_static"}
    np.testing.assert_allclose(from_tf.base_from_camera, BASE_FROM_CAMERA, atol=1e-9)
    np.testing.assert_allclose(from_tf.camera_from_lidar, transform_from_pose7(FUSION["lidar_pose_in_camera"]))
    assert given.sources["lidar_pose_in_camera"] == "option"
    np.testing.assert_allclose(given.camera_from_lidar[:3, 3], [1, 2, 3])


def test_the_chain_runs_with_the_nodes_defaults():
    config = chain_config()
    assert config.temporal_consistency and not chain_config(False).temporal_consistency
    assert config.fused_range_m == (FUSION["min_depth_m"], FUSION["max_depth_m"]) == (0.1, 80.0)
    assert config.depth_range_m == (0.1, 20.0)
    assert config.fusion.local_correction.strength == FUSION["local_strength"]
    assert config.fusion.scale_smoother.time_constant_frames == FUSION["temporal_time_constant_frames"]
