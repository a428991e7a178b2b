"""Online, causal temporal stabiliser of one depth stream: flow-guided per-pixel Kalman blending.

Each frame: DIS optical flow (flow.py, reduced resolution, backward and forward) tracks every pixel into the
previous frame; the previous stabilised depth and its variance are warped along it; for metric depth the camera
motion, found by PnP on the tracks and the tracked depth (camera_motion.py), carries the warped depth into the
new frame (z' = z (r31 x + r32 y + r33) + t_z), for relative inverse depth the new prediction's scale and shift
(motion.py) are fitted onto the track instead; then every pixel blends prediction and carried depth with the
Kalman gain of their variances. The model's global scale flicker is left to that blend, so it is damped like any
other noise. A pixel takes the new value as it is when the track is unreliable (occluded, disoccluded,
photometric mismatch, forward-backward flow disagreement, outside the previous image) or when the two disagree
by more than the noise allows, so a moving object's depth follows it within the frame, with no ghost behind it.

Variances are in units of one prediction's variance (noise_rel x value, squared): a pixel seen once has 1;
after n consistent frames about 1 / n, down to the steady state 1 / time_constant_frames.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.temporal.camera_motion import CameraMotionEstimator
from monodepth_ros.core.temporal.config import StabiliserConfig
from monodepth_ros.core.temporal.flow import FlowTracker
from monodepth_ros.core.temporal.motion import IDENTITY, DepthMotionFitter

MAX_PROCESS_VARIANCE = 1e6
"""Stands for the infinite process variance of a time constant of 1 (the new value always wins)."""
MIN_SCALE_RATIO = 0.2
"""A fitted scale ratio c below this (a fit gone wrong) is not used: the frame is carried without motion."""
NOISE_SAMPLE_STRIDE = 4
"""The median that sets the noise floor of relative inverse depth is taken on every 4th pixel of every 4th row."""
RELATIVE_NOISE_FLOOR = 0.05
"""For relative inverse depth, the noise of a value is noise_rel x max(|value|, this x the median |value|)."""


@dataclass(frozen=True)
class StabilisedDepth:
    """One stabilised frame."""

    depth: np.ndarray
    """float32 (H, W): metres (or relative inverse depth in relative mode); NaN where the input was invalid."""
    confidence: np.ndarray
    """float32 (H, W) in 0..1: 1 - variance / 2, so 0.5 for a value seen once (new, occluded, moving, just
    after a reset), approaching 1 as consistent frames accumulate; 0 where the depth is invalid."""
    reset_reason: str | None = None
    """Why the stabiliser started afresh at this frame (scene cut, stamp jump or backwards, intrinsics or size
    change); None when it went on as before, and for the first frame after construction or reset()."""


class TemporalStabiliser:
    """Stabilises the depth of one camera stream, frame by frame, in stamp order.

    ``relative_inverse``: the depth passed to update is relative inverse depth (larger is nearer, any scale and
    shift) rather than metres; invalid values are non-finite ones (and, for metres, values <= 0).
    """

    def __init__(self, config: StabiliserConfig | None = None, relative_inverse: bool = False) -> None:
        self.config = config or StabiliserConfig()
        self.relative_inverse = relative_inverse
        self._process_variance = np.float32(min(self.config.process_variance, MAX_PROCESS_VARIANCE))
        self._gate_sq = np.float32(self.config.disagreement_sigmas ** 2)
        self._tracker: FlowTracker | None = None
        self._size: tuple[int, int] | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the past: the next frame passes as it is."""
        self._state: np.ndarray | None = None
        self._intrinsics: Intrinsics | None = None
        self._stamp_s: float | None = None
        if self._tracker is not None:
            self._tracker.reset()

    def update(self, rgb: np.ndarray, depth: np.ndarray, intrinsics: Intrinsics, stamp_s: float) -> StabilisedDepth:
        """Stabilise one frame: rgb uint8 (H, W, 3), depth float (H, W), the camera's intrinsics, stamp in seconds.

        Raises ValueError on arrays of the wrong type or shape, or a non-finite stamp.
        """
        rgb, depth = self._validated(rgb, depth, stamp_s)
        height, width = depth.shape
        reason = self._reset_reason((height, width), intrinsics, stamp_s)
        if reason is not None or self._tracker is None:
            self.reset()
        if self._size != (height, width):
            self._allocate(width, height)
        self._intrinsics, self._stamp_s = intrinsics, float(stamp_s)
        track = self._tracker.track(rgb)
        if track is not None and track[2] < self.config.min_tracked_fraction:
            reason = (f"scene cut: only {100.0 * track[2]:.0f} % of the image tracked "
                      f"(min_tracked_fraction {self.config.min_tracked_fraction:g})")
            self._state = None
        valid = np.isfinite(depth, out=self._valid)
        if not self.relative_inverse:
            with np.errstate(invalid="ignore"):
                valid &= depth > 0.0
        np.logical_not(valid, out=self._invalid)
        if track is None or self._state is None:
            self._start(depth, valid)
        else:
            self._blend(depth, valid, track[0], track[1])
        return self._output(reason)

    def _validated(self, rgb, depth, stamp_s) -> tuple[np.ndarray, np.ndarray]:
        rgb, depth = np.asarray(rgb), np.asarray(depth)
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"rgb must be uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
        if depth.ndim != 2 or depth.shape != rgb.shape[:2] or not np.issubdtype(depth.dtype, np.floating):
            raise ValueError(f"depth must be float (H, W) matching rgb {rgb.shape[:2]}, "
                             f"got {depth.dtype} {depth.shape}")
        if not math.isfinite(stamp_s):
            raise ValueError(f"stamp must be finite seconds, got {stamp_s}")
        return np.ascontiguousarray(rgb), depth.astype(np.float32, copy=False)

    def _reset_reason(self, size: tuple[int, int], intrinsics: Intrinsics, stamp_s: float) -> str | None:
        if self._state is None or self._stamp_s is None:
            return None
        if size != self._size:
            return f"image size changed from {self._size[1]}x{self._size[0]} to {size[1]}x{size[0]}"
        if intrinsics != self._intrinsics:
            return "camera intrinsics changed"
        gap = stamp_s - self._stamp_s
        if gap <= 0.0:
            return f"stamp went backwards or repeated ({gap:+.3f} s)"
        if gap > self.config.max_stamp_gap_s:
            return f"stamp jumped by {gap:.3f} s (max_stamp_gap_s {self.config.max_stamp_gap_s:g})"
        return None

    def _allocate(self, width: int, height: int) -> None:
        config = self.config
        self._size = (height, width)
        self._tracker = FlowTracker(width, height, config.flow_width_px, config.flow_consistency_px,
                                    config.photometric_threshold)
        self._fitter = DepthMotionFitter(width, height)
        self._camera_motion = CameraMotionEstimator(width, height)
        self._state = None
        shape = (height, width)
        self._valid = np.empty(shape, dtype=bool)
        self._warped = np.empty(shape + (2,), dtype=np.float32)
        self._prior = np.empty(shape, dtype=np.float32)
        self._warped_planes = (np.empty(shape, dtype=np.float32), np.empty(shape, dtype=np.float32))
        self._new_depth = np.empty(shape, dtype=np.float32)
        self._new_variance = np.empty(shape, dtype=np.float32)
        self._factor = np.empty(shape, dtype=np.float32)
        self._measurement = np.empty(shape, dtype=np.float32)
        self._untracked = np.empty(shape, dtype=bool)
        self._prior_variance = np.empty(shape, dtype=np.float32)
        self._noise = np.empty(shape, dtype=np.float32)
        self._total_variance = np.empty(shape, dtype=np.float32)
        self._agrees = np.empty(shape, dtype=bool)
        self._invalid = np.empty(shape, dtype=bool)
        self._innovation = np.empty(shape, dtype=np.float32)
        self._scratch = np.empty(shape, dtype=np.float32)
        self._usable = np.empty(shape, dtype=bool)
        self._state_buffers = (np.empty(shape + (2,), dtype=np.float32), np.empty(shape + (2,), dtype=np.float32))
        self._columns = np.arange(width, dtype=np.float32)
        self._rows = np.arange(height, dtype=np.float32)

    def _start(self, depth: np.ndarray, valid: np.ndarray) -> None:
        """Begin a track from this frame alone: depth as it is, variance 1 (NaN where invalid)."""
        state = self._spare_state()
        np.copyto(self._new_depth, depth)
        self._new_variance.fill(1.0)
        np.copyto(self._new_depth, np.float32(np.nan), where=self._invalid)
        cv2.merge((self._new_depth, self._new_variance), state)
        self._state = state

    def _spare_state(self) -> np.ndarray:
        """The state buffer (H, W, 2) [depth, variance] that does not hold the current state."""
        first, second = self._state_buffers
        return second if self._state is first else first

    def _blend(self, depth: np.ndarray, valid: np.ndarray, source_map: np.ndarray, reliable: np.ndarray) -> None:
        cv2.remap(self._state, source_map, None, cv2.INTER_LINEAR, dst=self._warped,
                  borderMode=cv2.BORDER_CONSTANT, borderValue=(np.nan, np.nan))
        warped_depth, warped_variance = cv2.split(self._warped, self._warped_planes)
        usable = np.isfinite(warped_depth, out=self._usable)
        usable &= valid
        usable &= reliable.view(bool)
        prior, measurement = self._carry(warped_depth, depth, source_map, usable)
        innovation = np.subtract(measurement, prior, out=self._innovation)
        noise = np.abs(measurement, out=self._noise)
        if self.relative_inverse:
            stride = NOISE_SAMPLE_STRIDE
            sample = noise[::stride, ::stride][valid[::stride, ::stride]]
            if sample.size:
                np.maximum(noise, np.float32(RELATIVE_NOISE_FLOOR * float(np.median(sample))), out=noise)
        noise *= np.float32(self.config.noise_rel)
        normalised_sq = np.divide(innovation, noise, out=noise)
        np.square(normalised_sq, out=normalised_sq)
        prior_variance = np.add(warped_variance, self._process_variance, out=self._prior_variance)
        total_variance = np.add(prior_variance, np.float32(1.0), out=self._total_variance)
        # a real change: (innovation / noise)^2 > sigmas^2 * (prior variance + 1)
        gate = np.multiply(total_variance, self._gate_sq, out=self._scratch)
        with np.errstate(invalid="ignore"):
            usable &= np.less_equal(normalised_sq, gate, out=self._agrees)
        untracked = np.logical_not(usable, out=self._untracked)
        # Kalman gain K = P / (P + 1); the posterior variance is K too (units of the prediction's variance)
        gain = np.divide(prior_variance, total_variance, out=self._scratch)
        state = self._spare_state()
        new_depth, new_variance = self._new_depth, self._new_variance
        np.multiply(gain, innovation, out=new_depth)
        new_depth += prior
        np.copyto(new_depth, measurement, where=untracked)
        np.copyto(gain, np.float32(1.0), where=untracked)
        np.copyto(new_variance, gain)
        np.copyto(new_depth, np.float32(np.nan), where=self._invalid)
        cv2.merge((new_depth, new_variance), state)
        self._state = state

    def _carry(self, warped_depth: np.ndarray, depth: np.ndarray, source_map: np.ndarray,
               usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The prior (tracked depth as the new frame should see it) and the measurement, float32 (H, W).

        Metric: the camera motion (R, t) from PnP on the tracks (camera_motion.py; none when it fails) moves each
        tracked point, so prior = warped * (r31 x + r32 y + r33) + t_z at normalised image coordinates (x, y);
        the measurement is the new depth. Relative inverse depth has no metric points: prior = warped, and the
        measurement is the new prediction mapped onto the tracked values by the inverse of the fitted
        new ~ tracked * (a x + b y + c) + d (motion.py), so its scale and shift follow the track.
        """
        intrinsics = self._intrinsics
        if self.relative_inverse:
            fit = self._fitter.fit(warped_depth, depth, usable, intrinsics.fx, intrinsics.fy, intrinsics.cx,
                                   intrinsics.cy, self.config.noise_rel)
            a, b, c, d = IDENTITY if fit is None or abs(fit[2]) < MIN_SCALE_RATIO else fit
        else:
            motion = self._camera_motion.estimate(warped_depth, source_map, usable, intrinsics.matrix)
            rotation, translation = motion if motion is not None else (np.eye(3), np.zeros(3))
            (a, b, c), d = rotation[2], translation[2]
        factor_x = np.float32(a / intrinsics.fx) * (self._columns - np.float32(intrinsics.cx))
        factor_y = np.float32(b / intrinsics.fy) * (self._rows - np.float32(intrinsics.cy)) + np.float32(c)
        factor = np.add(factor_y[:, None], factor_x[None, :], out=self._factor)
        if self.relative_inverse:
            measurement = np.subtract(depth, np.float32(d), out=self._measurement)
            measurement /= factor
            return warped_depth, measurement
        prior = np.multiply(warped_depth, factor, out=self._prior)
        prior += np.float32(d)
        return prior, depth

    def _output(self, reason: str | None) -> StabilisedDepth:
        depth, variance = self._new_depth.copy(), self._new_variance
        confidence = np.multiply(variance, np.float32(-0.5))
        confidence += np.float32(1.0)
        np.copyto(confidence, np.float32(0.0), where=self._invalid)
        return StabilisedDepth(depth, confidence, reason)
