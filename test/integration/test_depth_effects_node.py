"""depth_effects_node in its own process over real DDS: image + depth + camera_info in, effects/image out, with
parameter changes applied at run time, invalid ones rejected, and beats from the beat topic."""
from __future__ import annotations

import numpy as np
import pytest
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Float32, Header

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.compositing.fog import FogParams, fog
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image, image_to_array

RELIABLE = ReliabilityPolicy.RELIABLE
WIDTH, HEIGHT = 80, 60
K = np.array([[70.0, 0.0, 39.5], [0.0, 70.0, 29.5], [0.0, 0.0, 1.0]])
FRAME_ID = "camera_optical_frame"


def scene() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, WIDTH).astype(np.uint8)[None, :]
    rgb[..., 1] = 90
    depth = np.full((HEIGHT, WIDTH), 6.0, np.float32)
    depth[15:45, 20:60] = 1.5
    return rgb, depth


class Camera:
    """Publishes /fx/image, the depth (on ``depth_topic``) and /fx/camera_info; collects /fx/effects/image."""

    def __init__(self, node, depth_topic: str) -> None:
        self.node = node
        self.image_pub = node.create_publisher(Image, "/fx/image", qos(RELIABLE))
        self.depth_pub = node.create_publisher(Image, depth_topic, qos(RELIABLE))
        self.info_pub = node.create_publisher(CameraInfo, "/fx/camera_info", qos(RELIABLE))
        self.beat_pub = node.create_publisher(Float32, "/fx/beat", qos(RELIABLE, 10))
        self.outputs: list[Image] = []
        self.sent: dict[tuple[int, int], None] = {}
        node.create_subscription(Image, "/fx/effects/image", self.outputs.append, qos(RELIABLE))
        rgb, depth = scene()
        self.image = array_to_image(rgb, "rgb8", Header(frame_id=FRAME_ID))
        self.depth = array_to_image(depth, "32FC1", Header(frame_id=FRAME_ID))
        self.info = camera_info_from_matrix(K, WIDTH, HEIGHT, Header(frame_id=FRAME_ID))

    def publish(self) -> None:
        stamp = self.node.get_clock().now().to_msg()
        self.sent[(stamp.sec, stamp.nanosec)] = None
        for message in (self.info, self.image, self.depth):
            message.header.stamp = stamp
        self.info_pub.publish(self.info)
        self.image_pub.publish(self.image)
        self.depth_pub.publish(self.depth)

    def publish_until(self, condition, timeout_s: float = 20.0) -> bool:
        return spin_until(self.node, condition, timeout_s, every=self.publish, period_s=0.1)

    def latest(self) -> np.ndarray:
        return image_to_array(self.outputs[-1])


def expected_fog(density: float) -> np.ndarray:
    rgb, depth = scene()
    return fog(rgb, depth, Intrinsics.from_matrix(K, WIDTH, HEIGHT), FogParams(density=density))


def test_effect_output_parameter_changes_and_beats(ros_context, test_nodes, node_processes):
    from rclpy.parameter import Parameter
    from rclpy.parameter_client import AsyncParameterClient

    node = node_processes("monodepth_ros.ros.nodes.media.depth_effects_node", "/fx",
                          {"effect": "fog", "fog.density": 0.2, "smoothing_s": 0.0},
                          remappings={"depth/image": "depth/fused"})
    camera = Camera(test_nodes("effects_camera"), "/fx/depth/fused")
    client = AsyncParameterClient(camera.node, "/fx/depth_effects_node")
    assert client.wait_for_services(timeout_sec=60.0), node.log()

    def set_parameters(**values):
        """Set ``values`` together (double underscores stand for dots); the result for all of them."""
        future = client.set_parameters_atomically([Parameter(name.replace("__", "."), value=value)
                                                   for name, value in values.items()])
        ros_context.spin_until_future_complete(camera.node, future, timeout_sec=10.0)
        return future.result().result

    def shows(expected: np.ndarray):
        return lambda: bool(camera.outputs) and camera.latest().shape == expected.shape and \
            np.array_equal(camera.latest(), expected)

    assert camera.publish_until(lambda: len(camera.outputs) >= 1), node.log()
    output = camera.outputs[-1]
    assert output.encoding == "rgb8" and output.header.frame_id == FRAME_ID
    assert (output.header.stamp.sec, output.header.stamp.nanosec) in camera.sent, "the input's header"
    np.testing.assert_array_equal(camera.latest(), expected_fog(0.2))

    assert set_parameters(fog__density=1.0).successful
    assert camera.publish_until(shows(expected_fog(1.0))), "the new density applies to the next images"
    rejected = set_parameters(beat_sync="focus-pull")
    assert not rejected.successful and "works with the bokeh effect, not fog" in rejected.reason
    rejected = set_parameters(fog__fog_mode="linear", fog__start_m=50.0)
    assert not rejected.successful and "end_m (20.0) must exceed start_m (50.0)" in rejected.reason

    assert set_parameters(beat_sync="fog-pulse", beat_decay_s=5.0).successful
    camera.beat_pub.publish(Float32(data=1.0))
    assert camera.publish_until(shows(expected_fog(2.0))), "a full beat doubles the density"

    assert set_parameters(effect="stereo", beat_sync="none").successful
    assert camera.publish_until(lambda: camera.latest().shape == (HEIGHT, 2 * WIDTH, 3)), "side by side"
    assert node.alive() and "[ERROR]" not in node.log()


@pytest.mark.parametrize("parameters, message", [({"effect": "glow"}, "effect must be one of"),
                                                 ({"effect": "fog", "beat_sync": "focus-pull"}, "not fog")])
def test_invalid_start_parameters_stop_the_node_with_the_reason(node_processes, parameters, message):
    node = node_processes("monodepth_ros.ros.nodes.media.depth_effects_node", "/fx_bad", parameters)
    node.process.wait(timeout=60)
    assert node.process.returncode == 1
    assert message in node.log()
