"""std_msgs/Header stamps as integer nanoseconds."""
from __future__ import annotations

from std_msgs.msg import Header


def stamp_ns(header: Header) -> int:
    """The header's stamp in integer nanoseconds."""
    return header.stamp.sec * 1_000_000_000 + header.stamp.nanosec
