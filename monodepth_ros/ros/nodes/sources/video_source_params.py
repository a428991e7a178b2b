"""Parameters and topics of video_source_node."""
from __future__ import annotations

from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec
from monodepth_ros.ros.common.shared_parameters import AUTOSTART
from monodepth_ros.ros.common.topic_specs import TopicSpec

PLAYBACK_CHOICES = ("realtime", "consumed")

VIDEO_SOURCE_NODE_PARAMETERS = NodeParameters((
    ParameterSpec("source", "", "Video file (mp4, mkv, avi, ...; decoded with PyAV), image folder (name order) or "
                  "V4L2 webcam: device index ('0') or path ('/dev/video0'; OpenCV)", read_only=True),
    ParameterSpec("camera_info_url", "", "Camera calibration YAML (camera_info_manager format; 'file://' "
                  "accepted); empty = a pinhole approximation from fov_deg", read_only=True),
    ParameterSpec("fov_deg", 60.0, "Horizontal field of view (degrees) for camera_info when there is no "
                  "calibration file: square pixels, centred principal point, no distortion (an approximation)",
                  minimum=1.0, maximum=179.0, read_only=True),
    ParameterSpec("frame_id", "camera_optical_frame", "frame_id of image and camera_info", read_only=True),
    ParameterSpec("playback", "realtime", "Files and folders: realtime (frames at their recorded times, scaled "
                  "by rate_scale) or consumed (the next frame as soon as the previous one came back on the "
                  "consumed topic, or after consumed_timeout_s)", choices=PLAYBACK_CHOICES, read_only=True),
    ParameterSpec("rate_scale", 1.0, "Playback speed in realtime mode (2 = twice as fast)", minimum=0.01,
                  maximum=100.0),
    ParameterSpec("consumed_timeout_s", 2.0, "In consumed mode, longest wait for the consumer's output of a frame "
                  "(seconds)", minimum=0.01, maximum=60.0),
    ParameterSpec("loop", False, "Files and folders: start again at the end (stamps keep increasing)"),
    ParameterSpec("folder_fps", 10.0, "Frame rate of an image folder (frames per second): frame i has stamp "
                  "i / folder_fps", minimum=0.01, maximum=1000.0, read_only=True),
    ParameterSpec("webcam_width", 0, "Requested webcam image width (pixels); 0 = the device's default",
                  minimum=0, maximum=8192, read_only=True),
    ParameterSpec("webcam_height", 0, "Requested webcam image height (pixels); 0 = the device's default",
                  minimum=0, maximum=8192, read_only=True),
    ParameterSpec("webcam_fps", 0.0, "Requested webcam frame rate (frames per second); 0 = the device's default",
                  minimum=0.0, maximum=1000.0, read_only=True),
    ParameterSpec("retry_period_s", 2.0, "A source that cannot be opened (missing file or device) is tried again "
                  "this often (seconds); the error is logged once", minimum=0.1, maximum=3600.0),
    AUTOSTART,
))

VIDEO_SOURCE_NODE_TOPICS = (
    TopicSpec("out", "image", "sensor_msgs/Image `rgb8`",
              "stamps: files and folders the clock at the start of playback plus the frame's container time "
              "(folders: i / `folder_fps`); webcams the arrival time; frames are read only while `image` or "
              "`camera_info` has a subscriber"),
    TopicSpec("out", "camera_info", "sensor_msgs/CameraInfo",
              "from `camera_info_url`, else from `fov_deg` (approximation, logged); header of the image"),
    TopicSpec("in", "consumed", "sensor_msgs/Image",
              "`playback` consumed only: remap to the consumer's output (e.g. `depth/image`); a message with the "
              "stamp of the last frame releases the next one"),
)
