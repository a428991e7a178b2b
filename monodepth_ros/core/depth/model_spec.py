"""Settings that select and describe a depth model."""
from __future__ import annotations

from dataclasses import dataclass

from monodepth_ros.core.depth.backends.registry import backend_names

OUTPUT_CHOICES = ("auto", "metric_depth", "metric_inverse_depth", "relative_depth", "relative_inverse_depth")
PRECISION_CHOICES = ("fp32", "fp16", "bf16")
PREPROCESS_CHOICES = ("auto", "host", "device")


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run and how to read its output.

    ``input_size`` (height, width) of 0 keeps the model's own size. ``mean``/``std`` normalise RGB
    scaled to [0, 1] (ONNX backend only; Hugging Face models bring their own processor; an ONNX file written by
    ``monodepth-export`` brings its own when they are left at (0, 0, 0) / (1, 1, 1)).
    ``canonical_focal_px`` > 0 declares that the model predicts depth for a camera of that focal length
    (pixels, at the input image's resolution): the output is multiplied by real_focal / canonical_focal.
    ``output_scale`` multiplies the raw output (e.g. 0.001 for a model that predicts millimetres).
    ``precision`` is the network's arithmetic (``fp16: True`` is the same as ``precision='fp16'``).
    ``preprocess``: 'host' runs the model's own preprocessing on the CPU, 'device' resizes and normalises on the
    model's device, 'auto' picks 'device' on CUDA where it reproduces the host preprocessing and 'host' otherwise.
    ``channels_last``, ``torch_compile`` and ``cuda_graphs`` tune the network on the ``hf`` backend.
    """

    backend: str = "fastdepth"
    model: str = ""
    output: str = "auto"
    device: str = "auto"
    fp16: bool = False
    precision: str = "fp32"
    preprocess: str = "auto"
    channels_last: bool = False
    torch_compile: bool = False
    cuda_graphs: bool = False
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
        if self.precision not in PRECISION_CHOICES:
            raise ValueError(f"unknown precision '{self.precision}'; expected one of {', '.join(PRECISION_CHOICES)}")
        if self.fp16 and self.precision not in ("fp32", "fp16"):
            raise ValueError(f"fp16 is set but precision is '{self.precision}'; set only one of them")
        if self.preprocess not in PREPROCESS_CHOICES:
            raise ValueError(f"unknown preprocess '{self.preprocess}'; expected one of "
                             f"{', '.join(PREPROCESS_CHOICES)}")
        if len(self.input_size) != 2 or min(self.input_size) < 0:
            raise ValueError(f"input_size must be two non-negative integers (height, width), got {self.input_size}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0.0:
            raise ValueError("mean and std must have 3 values each and std must be positive")
        if self.canonical_focal_px < 0.0 or self.output_scale <= 0.0:
            raise ValueError("canonical_focal_px must be >= 0 and output_scale > 0")

    @property
    def requested_precision(self) -> str:
        """'fp32', 'fp16' or 'bf16': ``precision``, or 'fp16' when the ``fp16`` switch is on."""
        return "fp16" if self.fp16 else self.precision
