"""Camera streams of a multi-camera depth_node: namespaces, topics, and batched depth equal to single frames."""
from __future__ import annotations

import numpy as np
import pytest
from ros_helpers import spinning, wait_until
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from monodepth_ros.ros.common.inputs.camera_streams import CameraFrame, camera_topic, cameras_error
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.header import stamp_ns
from monodepth_ros.ros.conversions.image import array_to_image, depth_image_to_metres

NAMESPACE = "/camera_streams"
CAMERAS = ("front", "left", "rear/right")


@pytest.mark.parametrize("cameras", [[""], ["front"], ["front", "left", "rear/right", "_aux2"]])
def test_valid_camera_lists(cameras):
    assert cameras_error(cameras) is None


@pytest.mark.parametrize("cameras, reason", [
    ([], "at least one"), (["front", ""], "alone"), (["/front"], "relative"), (["2nd"], "digit"),
    (["front/"], "relative"), (["front", "front"], "twice"), (["fr ont"], "relative")])
def test_invalid_camera_lists_name_the_reason(cameras, reason):
    assert reason in cameras_error(cameras)


def test_camera_topics_are_relative_to_the_camera_namespace():
    assert camera_topic("", "depth/image") == "depth/image"
    assert camera_topic("rear/right", "image") == "rear/right/image"


@pytest.fixture(scope="module")
def metric_model(tmp_path_factory) -> str:
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from monodepth_ros.testing.tiny_models import depth_anything_processor, save_model_folder, tiny_depth_anything

    torch.manual_seed(0)
    return save_model_folder(tmp_path_factory.mktemp("hf_models") / "metric", tiny_depth_anything(True),
                             depth_anything_processor())


def _frame(camera_index: int, width: int, height: int) -> tuple[Image, CameraInfo, np.ndarray]:
    """A random uint8 image and a camera_info whose focal length differs per camera."""
    rgb = np.random.default_rng(camera_index).integers(0, 256, (height, width, 3), dtype=np.uint8)
    header = Header(frame_id=f"camera{camera_index}_optical_frame")
    header.stamp.sec, header.stamp.nanosec = 100 + camera_index, 0
    focal = 300.0 + 100.0 * camera_index
    k = np.array([[focal, 0.0, width / 2], [0.0, focal, height / 2], [0.0, 0.0, 1.0]])
    return array_to_image(rgb, "rgb8", header), camera_info_from_matrix(k, width, height, header), rgb


def test_frames_of_three_cameras_batched_give_each_camera_the_depth_of_a_single_call(ros_context, metric_model):
    from monodepth_ros.ros.nodes.depth.depth_node import DepthNode

    overrides = {"cameras": list(CAMERAS), "backend": "hf", "model": metric_model, "canonical_focal_px": 400.0,
                 "max_depth_m": 1000.0, "min_depth_m": 0.0, "reliability": "reliable"}
    node = DepthNode(namespace=NAMESPACE, parameter_overrides=[Parameter(key, value=value)
                                                                for key, value in overrides.items()])
    peer = ros_context.create_node("camera_streams_peer")
    reliable = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
    received: dict[str, list] = {camera: [] for camera in CAMERAS}
    infos: dict[str, list] = {camera: [] for camera in CAMERAS}
    for camera in CAMERAS:
        peer.create_subscription(Image, f"{NAMESPACE}/{camera}/depth/image", received[camera].append, reliable)
        peer.create_subscription(CameraInfo, f"{NAMESPACE}/{camera}/depth/camera_info", infos[camera].append,
                                 reliable)
    # front and left share a size and run as one batch; rear/right has its own size and batch
    frames = [_frame(0, 40, 30), _frame(1, 40, 30), _frame(2, 36, 24)]
    info_publishers = [peer.create_publisher(CameraInfo, f"{NAMESPACE}/{camera}/camera_info", reliable)
                       for camera in CAMERAS]
    try:
        with spinning(node, peer):
            streams = {stream.camera: stream for stream in node.streams}
            assert list(streams) == list(CAMERAS)
            assert len({id(stream.stabiliser) for stream in streams.values()}) == 3, "a stabiliser per camera"

            def camera_info_everywhere() -> bool:
                for publisher, (_, info, _) in zip(info_publishers, frames):
                    publisher.publish(info)
                return all(streams[camera].camera_info.for_frame(stamp_ns(frame[1].header), 0.0, "images")
                           for camera, frame in zip(CAMERAS, frames))

            assert wait_until(camera_info_everywhere, 10.0, period_s=0.1)
            assert wait_until(lambda: all(stream.depth_publisher.get_subscription_count()
                                          for stream in streams.values()), 10.0)
            batch_sizes = []
            infer_batch = node.estimator.backend.infer_batch
            node.estimator.backend.infer_batch = lambda images: (batch_sizes.append(len(images)), infer_batch(images))[1]
            node.process([CameraFrame(streams[camera], image) for camera, (image, _, _) in zip(CAMERAS, frames)])
            assert batch_sizes == [2, 1], "frames of one size run through the network together"
            node.estimator.backend.infer_batch = infer_batch
            assert wait_until(lambda: all(received[camera] and infos[camera] for camera in CAMERAS), 10.0)
            singles = [node.estimator.predict(rgb, streams[camera].decode(image, 0.0).intrinsics,
                                              (0.0, 1000.0)).values
                       for camera, (image, _, rgb) in zip(CAMERAS, frames)]
    finally:
        node.destroy_node()
        peer.destroy_node()
    for camera, (image, info, _), single in zip(CAMERAS, frames, singles):
        message = received[camera][-1]
        assert message.header == image.header, "each output carries its own camera's header"
        assert infos[camera][-1].header == image.header and list(infos[camera][-1].k) == pytest.approx(info.k)
        np.testing.assert_allclose(depth_image_to_metres(message), single, rtol=1e-5, atol=1e-6)
    assert not np.allclose(singles[0], singles[1], rtol=0.05), "the cameras' images and focal lengths differ"
