"""Post-processing of depth maps shared by every backend and every consumer of a depth image.

``raw_to_depth`` works on numpy arrays and on torch tensors where they are (CPU or CUDA); ``to_host`` is the
one copy back to numpy at the end.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from monodepth_ros.core.depth.types import DepthKind, ModelOutput

if TYPE_CHECKING:
    import torch

def raw_to_depth(raw: np.ndarray | torch.Tensor, output: ModelOutput, output_scale: float = 1.0,
                 focal_ratios: Sequence[float] | None = None,
                 depth_range_m: tuple[float, float] | None = None) -> np.ndarray | torch.Tensor:
    """Raw maps (N, H, W) in the model's units -> float32 (N, H, W) of the same array type and device.

    The raw output times ``output_scale`` is read as ``output``; metric outputs become depth in metres,
    relative ones relative inverse depth. ``focal_ratios`` (N values, real / canonical focal length) multiply
    metric depth image by image. Non-finite values, and metric depth <= 0 or outside ``depth_range_m``
    (min, max metres; metric outputs only), become NaN.
    """
    # ``values`` is always a new array, so the backend's output is never changed.
    if isinstance(raw, np.ndarray):
        xp = np
        values = raw.astype(np.float32, copy=False) * np.float32(output_scale)
    else:
        import torch as xp

        values = raw.float() * output_scale
    if output in (ModelOutput.METRIC_INVERSE_DEPTH, ModelOutput.RELATIVE_DEPTH):
        with np.errstate(divide="ignore", invalid="ignore"):
            values = 1.0 / values
    if focal_ratios is not None:
        ratios = np.asarray(focal_ratios, dtype=np.float32).reshape(-1, 1, 1)
        values = values * (ratios if xp is np else xp.from_numpy(ratios).to(values.device))
    invalid = ~xp.isfinite(values)
    if output.kind is DepthKind.METRIC:
        invalid |= values <= 0.0
        if depth_range_m is not None:
            invalid |= (values < depth_range_m[0]) | (values > depth_range_m[1])
    if xp is np:
        values[invalid] = np.nan
    else:
        values.masked_fill_(invalid, float("nan"))
    return values


def to_host(values: np.ndarray | torch.Tensor) -> np.ndarray:
    """``values`` as a numpy array: numpy passes through, a torch tensor is copied to the host once."""
    if isinstance(values, np.ndarray):
        return values
    return values.cpu().numpy()


def mask_outside_range(depth: np.ndarray, min_m: float, max_m: float) -> np.ndarray:
    """Set depth (metres, float32 (H, W)) outside [min_m, max_m] to NaN, in place; returns it."""
    with np.errstate(invalid="ignore"):
        depth[(depth < min_m) | (depth > max_m)] = np.nan
    return depth
