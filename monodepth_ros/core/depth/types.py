"""What depth values mean, and one depth estimate."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class DepthKind(str, enum.Enum):
    """What the values of a depth map mean."""

    METRIC = "metric"
    """Depth along the optical axis (z) in metres."""
    RELATIVE_INVERSE = "relative_inverse"
    """Unitless inverse depth known up to scale and shift; larger is nearer."""


class ModelOutput(str, enum.Enum):
    """What a network's raw output map means (a per-model setting)."""

    METRIC_DEPTH = "metric_depth"
    METRIC_INVERSE_DEPTH = "metric_inverse_depth"
    RELATIVE_DEPTH = "relative_depth"
    RELATIVE_INVERSE_DEPTH = "relative_inverse_depth"

    @property
    def kind(self) -> DepthKind:
        return DepthKind.METRIC if self.name.startswith("METRIC") else DepthKind.RELATIVE_INVERSE


@dataclass
class DepthPrediction:
    """One depth estimate at the resolution of the input image."""

    values: np.ndarray
    """float32 (H, W); metres when ``kind`` is METRIC; NaN marks invalid pixels."""
    kind: DepthKind
    timings_ms: dict[str, float] = field(default_factory=dict)
    """Wall time (ms) per stage of the batch this image was part of: preprocess, inference, postprocess."""

    @property
    def is_metric(self) -> bool:
        return self.kind is DepthKind.METRIC
