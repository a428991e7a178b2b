"""The interface every depth backend implements."""
from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np

from monodepth_ros.core.depth.types import ModelOutput


@dataclass
class RawOutput:
    """A network's output before the shared post-processing."""

    values: np.ndarray
    """float32 (h, w) at any resolution with the aspect ratio of the input image."""
    preprocess_ms: float
    inference_ms: float


class DepthBackend(abc.ABC):
    """Loads a model once and runs it on RGB images."""

    native_output: ModelOutput | None = None
    """What the model's output means when the spec says 'auto'; None if it cannot be known."""
    device: str = "cpu"
    """Where inference runs, e.g. 'cpu', 'cuda:0', 'TensorrtExecutionProvider'."""
    description: str = ""
    """Human-readable model name for logs and diagnostics."""

    @abc.abstractmethod
    def infer(self, rgb: np.ndarray) -> RawOutput:
        """Run the model on ``rgb`` uint8 (H, W, 3)."""
