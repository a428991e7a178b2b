"""Settings that select and describe a depth model."""
from __future__ import annotations

from dataclasses import dataclass

from monodepth_ros.core.depth.backends.registry import backend_names

OUTPUT_CHOICES = ("auto", "metric_depth", "metric_inverse_depth", "relative_depth", "relative_inverse_depth")


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run and how to read its output.

    ``input_size`` (height, width) of 0 keeps the model's own size. ``mean``/``std`` normalise RGB
    scaled to [0, 1] (ONNX backend only; Hugging Face models bring their own processor).
    ``canonical_focal_px`` > 0 declares that the model predicts depth for a camera of that focal length
    (pixels, at the input image's resolution): the output is multiplied by real_focal / canonical_focal.
    ``output_scale`` multiplies the raw output (e.g. 0.001 for a model that predicts millimetres).
    """

    backend: str = "fastdepth"
    model: str = ""
    output: str = "auto"
    device: str = "auto"
    fp16: bool = False
    input_size: tuple[int, int] = (0, 0)
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    canonical_focal_px: float = 0.0
    output_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.backend not in backend_names():
            raise ValueError(f"unknown backend '{self.backend}'; expected one of {', '.join(backend_names())}")
        if self.output not in OUTPUT_CHOICES:
            raise ValueError(f"unknown output '{self.output}'; expected one of {', '.join(OUTPUT_CHOICES)}")
        if len(self.input_size) != 2 or min(self.input_size) < 0:
            raise ValueError(f"input_size must be two non-negative integers (height, width), got {self.input_size}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0.0:
            raise ValueError("mean and std must have 3 values each and std must be positive")
        if self.canonical_focal_px < 0.0 or self.output_scale <= 0.0:
            raise ValueError("canonical_focal_px must be >= 0 and output_scale > 0")
