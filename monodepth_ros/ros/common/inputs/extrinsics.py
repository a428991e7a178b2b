"""Transforms between sensor frames: tf2 when it is importable, else transforms given as parameters."""
from __future__ import annotations

import numpy as np
from rclpy.node import Node
from rclpy.time import Time

from monodepth_ros.ros.conversions.geometry import transform_to_matrix

try:
    import tf2_ros
except ImportError:
    tf2_ros = None


class FrameNotAvailable(LookupError):
    """No transform is known between two frames."""


class ExtrinsicsSource:
    """Looks up 4x4 transforms mapping points from ``source`` to ``target`` frame.

    Order: identical frames -> identity; tf2 (when importable) at the stamp, else the latest;
    then the ``fixed`` transforms given by parameters, keyed by (target, source) and usable both ways.
    """

    def __init__(self, node: Node, fixed: dict[tuple[str, str], np.ndarray]) -> None:
        self._fixed = dict(fixed)
        self.uses_tf = tf2_ros is not None
        if self.uses_tf:
            self._buffer = tf2_ros.Buffer()
            self._listener = tf2_ros.TransformListener(self._buffer, node)

    def lookup(self, target: str, source: str, stamp=None) -> np.ndarray:
        """Transform (4x4) of points from ``source`` into ``target``; raises FrameNotAvailable."""
        if target == source:
            return np.eye(4)
        if self.uses_tf:
            for when in ((stamp or Time()), Time()):
                try:
                    return transform_to_matrix(self._buffer.lookup_transform(target, source, when).transform)
                except (tf2_ros.LookupException, tf2_ros.ExtrapolationException,
                        tf2_ros.ConnectivityException):
                    continue
        if (target, source) in self._fixed:
            return self._fixed[(target, source)]
        if (source, target) in self._fixed:
            return np.linalg.inv(self._fixed[(source, target)])
        known = ", ".join(f"{s}->{t}" for t, s in self._fixed) or "none"
        via = "tf2 or parameters" if self.uses_tf else "parameters (tf2_ros is not installed)"
        raise FrameNotAvailable(f"no transform from '{source}' to '{target}' via {via}; known: {known}")

