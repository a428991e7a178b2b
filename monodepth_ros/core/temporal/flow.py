"""Dense optical flow between consecutive frames at reduced resolution, and where it can be trusted."""
from __future__ import annotations

import cv2
import numpy as np


class FlowTracker:
    """Tracks the pixels of each new image back into the previous one with OpenCV DIS flow (ULTRAFAST preset).

    Works at ``flow_width`` x proportional height. ``track`` returns full-resolution remap coordinates into the
    previous frame and a reliability mask: a pixel is reliable when its backward and forward flow agree to within
    ``consistency_px``, its source lies inside the previous image and the grey levels of source and target differ
    by at most ``photometric_threshold``. Buffers are allocated once per image size.
    """

    def __init__(self, width: int, height: int, flow_width: int, consistency_px: float,
                 photometric_threshold: float) -> None:
        self.width, self.height = width, height
        self.small_width = max(8, min(flow_width, width))
        self.small_height = max(8, int(round(height * self.small_width / width)))
        self.scale_x = width / self.small_width
        self.scale_y = height / self.small_height
        self._consistency_sq = float((consistency_px / self.scale_x) ** 2)
        self._photometric_threshold = float(photometric_threshold)
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        small = (self.small_height, self.small_width)
        self._grey_full = np.empty((height, width), dtype=np.uint8)
        self._previous = np.empty(small, dtype=np.uint8)
        self._current = np.empty(small, dtype=np.uint8)
        self._has_previous = False
        grid_x, grid_y = np.meshgrid(np.arange(self.small_width, dtype=np.float32),
                                     np.arange(self.small_height, dtype=np.float32))
        self._small_grid = np.dstack([grid_x, grid_y])
        full_x, full_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
        self._full_grid = np.dstack([full_x, full_y])
        self._small_map = np.empty(small + (2,), dtype=np.float32)
        self._forward_at_source = np.empty(small + (2,), dtype=np.float32)
        self._round_trip_sq = np.empty(small, dtype=np.float32)
        self._warped_grey = np.empty(small, dtype=np.uint8)
        self._reliable_small = np.empty(small, dtype=np.uint8)
        self._full_map = np.empty((height, width, 2), dtype=np.float32)
        self._reliable_full = np.empty((height, width), dtype=np.uint8)

    def reset(self) -> None:
        """Forget the previous image."""
        self._has_previous = False

    def track(self, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
        """Take the next image uint8 (H, W, 3) RGB.

        Returns (map float32 (H, W, 2): x, y in the previous image of every pixel, for cv2.remap; reliable uint8
        (H, W), 1 where the track can be trusted; the reliable fraction of the image), or None for the first
        image after construction or reset. The arrays are reused by the next call.
        """
        cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY, dst=self._grey_full)
        cv2.resize(self._grey_full, (self.small_width, self.small_height), dst=self._current,
                   interpolation=cv2.INTER_AREA)
        if not self._has_previous:
            self._previous, self._current = self._current, self._previous
            self._has_previous = True
            return None
        backward = self._dis.calc(self._current, self._previous, None)
        forward = self._dis.calc(self._previous, self._current, None)
        np.add(self._small_grid, backward, out=self._small_map)
        cv2.remap(forward, self._small_map, None, cv2.INTER_LINEAR, dst=self._forward_at_source,
                  borderMode=cv2.BORDER_CONSTANT, borderValue=(1e4, 1e4))
        cv2.remap(self._previous, self._small_map, None, cv2.INTER_LINEAR, dst=self._warped_grey,
                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        round_trip = np.add(self._forward_at_source, backward, out=self._forward_at_source)
        np.square(round_trip, out=round_trip)
        round_trip_sq = np.add(round_trip[..., 0], round_trip[..., 1], out=self._round_trip_sq)
        photometric = cv2.absdiff(self._warped_grey, self._current)
        reliable = self._reliable_small
        np.less(round_trip_sq, self._consistency_sq, out=reliable.view(bool))
        reliable &= photometric <= self._photometric_threshold
        map_x, map_y = self._small_map[..., 0], self._small_map[..., 1]
        reliable &= (map_x >= 0.0) & (map_x <= self.small_width - 1) & (map_y >= 0.0) & (map_y <= self.small_height - 1)
        fraction = float(np.count_nonzero(reliable)) / reliable.size
        cv2.resize(backward, (self.width, self.height), dst=self._full_map, interpolation=cv2.INTER_LINEAR)
        if self.scale_x == self.scale_y:
            self._full_map *= np.float32(self.scale_x)
        else:
            self._full_map[..., 0] *= np.float32(self.scale_x)
            self._full_map[..., 1] *= np.float32(self.scale_y)
        self._full_map += self._full_grid
        cv2.resize(reliable, (self.width, self.height), dst=self._reliable_full, interpolation=cv2.INTER_NEAREST)
        self._previous, self._current = self._current, self._previous
        return self._full_map, self._reliable_full, fraction
