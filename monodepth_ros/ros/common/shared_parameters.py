"""Parameters that several nodes have, declared once: every node's table reuses these specs."""
from __future__ import annotations

from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import RELIABILITY_CHOICES

RELIABILITY = ParameterSpec(
    "reliability", "auto", "Reliability of all of the node's subscriptions; auto matches the publishers",
    choices=RELIABILITY_CHOICES, read_only=True)
CAMERA_INFO_TOLERANCE = ParameterSpec(
    "camera_info_tolerance_s", 0.1, "Largest stamp difference between an image and the camera_info paired with it "
    "(seconds); beyond it the newest camera_info is used", minimum=0.0, maximum=10.0)
DIAGNOSTICS_PERIOD = ParameterSpec(
    "diagnostics_period_s", 1.0, "Period of /diagnostics messages (seconds)", minimum=0.1, maximum=60.0,
    read_only=True)
AUTOSTART = ParameterSpec(
    "autostart", True, "Configure and activate at start-up, as a plain node runs; false: start unconfigured and "
    "wait for lifecycle transitions (ros2 lifecycle set, a lifecycle manager)", read_only=True)
