"""depth_sonification_node in its own process over real DDS: depth + camera_info in, continuous stereo frames on
sonification/audio out, louder on the side of the obstacle, silence when nothing is in range."""
from __future__ import annotations

import numpy as np
from rclpy.qos import ReliabilityPolicy
from ros_helpers import qos, spin_until
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Float32MultiArray, Header

from monodepth_ros.ros.conversions.audio import message_to_audio
from monodepth_ros.ros.conversions.camera_info import camera_info_from_matrix
from monodepth_ros.ros.conversions.image import array_to_image

RELIABLE = ReliabilityPolicy.RELIABLE
WIDTH, HEIGHT = 80, 60
K = np.array([[60.0, 0.0, 39.5], [0.0, 60.0, 29.5], [0.0, 0.0, 1.0]])
RATE, UPDATE_HZ = 16000, 20.0


def test_an_obstacle_on_the_right_sounds_on_the_right_and_far_depth_is_silent(ros_context, test_nodes,
                                                                             node_processes):
    node = node_processes("monodepth_ros.ros.nodes.media.depth_sonification_node", "/sonic",
                          {"sample_rate_hz": RATE, "update_rate_hz": UPDATE_HZ, "sound_device": "none"})
    client = test_nodes("sonification_listener")
    depth_pub = client.create_publisher(Image, "/sonic/depth/image", qos(RELIABLE))
    info_pub = client.create_publisher(CameraInfo, "/sonic/depth/camera_info", qos(RELIABLE))
    frames: list[Float32MultiArray] = []
    client.create_subscription(Float32MultiArray, "/sonic/sonification/audio", frames.append, qos(RELIABLE, 50))
    depth = np.full((HEIGHT, WIDTH), 8.0, np.float32)

    def publish() -> None:
        header = Header(frame_id="camera_optical_frame", stamp=client.get_clock().now().to_msg())
        info_pub.publish(camera_info_from_matrix(K, WIDTH, HEIGHT, header))
        depth_pub.publish(array_to_image(depth, "32FC1", header))

    def loudness(count: int) -> np.ndarray:
        """RMS (left, right) of the last ``count`` frames."""
        samples = np.concatenate([message_to_audio(frame)[0] for frame in frames[-count:]])
        return np.sqrt((samples ** 2).mean(axis=0))

    assert spin_until(client, lambda: len(frames) >= 5, 60.0, every=publish, period_s=0.05), node.log()
    samples, rate = message_to_audio(frames[-1])
    assert rate == RATE and samples.shape == (int(RATE / UPDATE_HZ), 2)
    assert loudness(3).max() == 0.0, "nothing within 4 m: silence"

    depth[10:50, 66:80] = 1.0  # the rightmost of the 5 sectors
    seen = len(frames)
    assert spin_until(client, lambda: len(frames) > seen + 10 and loudness(4)[1] > 0.05, 20.0, every=publish,
                      period_s=0.05), node.log()
    left, right = loudness(4)
    assert right > 3.0 * left, "the obstacle is on the right"
    assert node.alive() and "[ERROR]" not in node.log()
