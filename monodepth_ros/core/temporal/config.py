"""Settings of the temporal stabiliser; every value is checked when the config is made."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StabiliserConfig:
    """How strongly and when the stabiliser (stabiliser.py) blends a new depth frame with the tracked past.

    Ranges are inclusive; the constructor raises ValueError naming every rule a value breaks.
    """

    time_constant_frames: float = 4.0
    """Strength, 1 to 100 frames: a pixel seen consistently converges to a blend whose newest frame weighs
    1 / time_constant_frames (the steady-state Kalman gain); 1 turns smoothing off (every frame passes as it is)."""
    noise_rel: float = 0.05
    """Per-pixel frame-to-frame noise of one prediction, as a fraction of the value, 0.001 to 1 (0.05 = 5 %)."""
    disagreement_sigmas: float = 3.0
    """A new value further than this many standard deviations (prediction noise and tracked variance
    together) from the tracked one is a real change and replaces it, 1 to 20."""
    photometric_threshold: float = 24.0
    """A tracked pixel whose grey level (0-255) differs from its source in the previous image by more than this
    is unreliable (occlusion, moving shadow, wrong flow), 1 to 255."""
    flow_consistency_px: float = 3.0
    """Forward-backward flow error (pixels of the input image) above which a pixel is unreliable (occluded,
    disoccluded or mistracked), 0.1 to 50."""
    min_tracked_fraction: float = 0.3
    """Fewer reliably tracked pixels than this fraction of the image is a scene cut: the stabiliser resets,
    0 (never) to 1."""
    max_stamp_gap_s: float = 0.5
    """A stamp later than the previous one by more than this (seconds) resets the stabiliser, 0.001 to 3600."""
    flow_width_px: int = 320
    """Width (pixels) the optical flow works at (height in proportion; never above the input width), 32 to 4096."""

    def __post_init__(self) -> None:
        rules = {
            "1 <= time_constant_frames <= 100": 1.0 <= self.time_constant_frames <= 100.0,
            "0.001 <= noise_rel <= 1": 0.001 <= self.noise_rel <= 1.0,
            "1 <= disagreement_sigmas <= 20": 1.0 <= self.disagreement_sigmas <= 20.0,
            "1 <= photometric_threshold <= 255": 1.0 <= self.photometric_threshold <= 255.0,
            "0.1 <= flow_consistency_px <= 50": 0.1 <= self.flow_consistency_px <= 50.0,
            "0 <= min_tracked_fraction <= 1": 0.0 <= self.min_tracked_fraction <= 1.0,
            "0.001 <= max_stamp_gap_s <= 3600": 0.001 <= self.max_stamp_gap_s <= 3600.0,
            "32 <= flow_width_px <= 4096 (whole number)": (isinstance(self.flow_width_px, int)
                                                          and 32 <= self.flow_width_px <= 4096),
        }
        failed = [rule for rule, holds in rules.items() if not holds]
        if failed:
            raise ValueError(f"invalid StabiliserConfig: need {', '.join(failed)}")

    @property
    def process_variance(self) -> float:
        """Variance added per frame to a tracked pixel, in units of one prediction's variance: the q of a
        random walk whose steady-state Kalman gain is 1 / time_constant_frames (q = K^2 / (1 - K));
        infinite for a time constant of 1."""
        gain = 1.0 / self.time_constant_frames
        return float("inf") if gain >= 1.0 else gain * gain / (1.0 - gain)
