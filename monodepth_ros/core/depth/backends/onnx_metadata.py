"""What an ONNX depth model file says about itself: the metadata ``monodepth-export`` writes and the onnx backend
reads (ONNX ``metadata_props``, strings keyed ``monodepth_ros.<name>``)."""
from __future__ import annotations

from dataclasses import dataclass

from monodepth_ros.core.depth.types import ModelOutput

PREFIX = "monodepth_ros."
OUTPUT_RESIZE_MODES = ("bilinear", "bicubic")


@dataclass(frozen=True)
class ExportMetadata:
    """The preprocessing and output of an exported model.

    ``input_size`` (height, width) pixels; RGB scaled to [0, 1] is normalised as (value - mean) / std; the output
    (N, h, w) means ``output`` and is brought to the image size by ``output_resize`` ('bilinear' or 'bicubic', as
    the model's own post-processing does); ``model_type`` is the transformers model type it came from.
    """

    input_size: tuple[int, int]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    output: ModelOutput
    model_type: str
    output_resize: str = "bilinear"

    def to_properties(self) -> dict[str, str]:
        """The metadata as ONNX metadata_props entries."""
        return {f"{PREFIX}input_size": _joined(self.input_size), f"{PREFIX}mean": _joined(self.mean),
                f"{PREFIX}std": _joined(self.std), f"{PREFIX}output": self.output.value,
                f"{PREFIX}model_type": self.model_type, f"{PREFIX}output_resize": self.output_resize}

    @classmethod
    def from_properties(cls, properties: dict[str, str]) -> ExportMetadata | None:
        """The metadata in ``properties`` (an ONNX Runtime custom_metadata_map); None when the file has none.

        Raises ValueError for malformed entries.
        """
        if f"{PREFIX}output" not in properties:
            return None
        output_resize = properties.get(f"{PREFIX}output_resize", "bilinear")
        if output_resize not in OUTPUT_RESIZE_MODES:
            raise ValueError(f"malformed monodepth_ros metadata in the ONNX file: output_resize '{output_resize}'")
        try:
            return cls(_numbers(properties[f"{PREFIX}input_size"], int, 2),
                       _numbers(properties[f"{PREFIX}mean"], float, 3), _numbers(properties[f"{PREFIX}std"], float, 3),
                       ModelOutput(properties[f"{PREFIX}output"]), properties.get(f"{PREFIX}model_type", ""),
                       output_resize)
        except (KeyError, ValueError) as error:
            raise ValueError(f"malformed monodepth_ros metadata in the ONNX file: {error}") from None


def _joined(values) -> str:
    return ",".join(str(value) for value in values)


def _numbers(text: str, kind: type, count: int) -> tuple:
    values = tuple(kind(part) for part in text.split(","))
    if len(values) != count:
        raise ValueError(f"expected {count} comma-separated values, got '{text}'")
    return values
