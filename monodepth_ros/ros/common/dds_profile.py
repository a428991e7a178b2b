"""The shipped Fast DDS large-message profile, used unless the user chose one."""
from __future__ import annotations

import os
from pathlib import Path

PROFILE_ENV = "FASTDDS_DEFAULT_PROFILES_FILE"
OPT_OUT_ENV = "MONODEPTH_ROS_DDS_PROFILE"
"""Set to 'off' to keep Fast DDS defaults."""


def large_message_profile_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "fastdds_large_messages.xml"


def use_large_message_profile() -> str | None:
    """Point Fast DDS at the shipped profile before rclpy.init; returns the profile in effect."""
    if os.environ.get(OPT_OUT_ENV, "").lower() == "off":
        return os.environ.get(PROFILE_ENV)
    os.environ.setdefault(PROFILE_ENV, str(large_message_profile_path()))
    return os.environ[PROFILE_ENV]
