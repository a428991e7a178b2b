"""The contract every depth backend implements: uint8 RGB (N, H, W, 3) in, raw maps (N, H, W) out."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from monodepth_ros.core.depth.types import ModelOutput

if TYPE_CHECKING:
    import torch


@dataclass
class RawBatch:
    """A network's output for one batch, before the shared post-processing."""

    values: np.ndarray | torch.Tensor
    """float (N, H, W) at the input images' resolution, in the model's own units: a numpy array on the host
    or a torch tensor on the model's device (float16 or float32)."""
    preprocess_ms: float
    """Wall time of the batch's preprocessing (resize, normalise, upload)."""
    inference_ms: float
    """Wall time of the network on the batch."""
    resize_ms: float
    """Wall time spent bringing the maps to the input resolution (part of the postprocess stage)."""


class DepthBackend(abc.ABC):
    """Loads a model once and runs it on batches of RGB images; constructed as ``Backend(spec, logger)``."""

    native_output: ModelOutput | None = None
    """What the model's output means when the spec says 'auto'; None if it cannot be known."""
    device: str = "cpu"
    """Where inference runs, e.g. 'cpu', 'cuda:0', 'TensorrtExecutionProvider'."""
    description: str = ""
    """Human-readable model name for logs and diagnostics."""

    @abc.abstractmethod
    def infer_batch(self, images: np.ndarray) -> RawBatch:
        """Run the model on ``images`` uint8 RGB (N, H, W, 3), N >= 1, all of one size.

        Returns raw maps (N, H, W) at the input resolution, left where the model produced them.
        """
