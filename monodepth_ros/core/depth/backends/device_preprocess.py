"""Resize and normalise uint8 RGB batches with torch on the model's device, the way the host paths do.

Host paths: transformers' image processors (``hf`` backend) and OpenCV (``onnx`` backend). The same code runs on
CPU tensors, which is how it is compared with them. Fidelity, per family:

- DPT / Depth Anything and GLPN processors resample 8-bit images with Pillow (antialiased, one pass per axis, each
  rounded to 8 bits; which axis goes first depends on the sizes and on the Pillow version, so it is read off Pillow
  once per input size). The device path runs the same filters in the same order, rounding after each pass: it
  differs from Pillow by one grey level on under 2 % of the values (Pillow's fixed-point arithmetic rounds some
  values the other way; two levels on rare pixels of noise upscaled five times or more). Their torchvision
  variants resample width first, as torch's 8-bit kernels do.
- ZoeDepth resizes in float with torch after reflection padding: reproduced to float rounding (< 1e-5).
- OpenCV's ``INTER_AREA`` (the onnx backend): applied as its per-axis weight matrices, rounded to 8 bits like
  OpenCV's 8-bit output. Shrinking both axes matches OpenCV exactly but for rare one-level roundings; enlarging an
  axis differs by one grey level on up to about 15 % of the values (OpenCV's 8-bit vector code truncates partial
  sums).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

PROCESSOR_FAMILIES = {"DPTImageProcessor": "dpt", "ZoeDepthImageProcessor": "zoedepth",
                      "GLPNImageProcessor": "glpn"}
"""Image processor class name prefixes (their Pillow and torchvision variants alike) -> family reproduced here."""
RESAMPLE_MODES = {2: "bilinear", 3: "bicubic"}
"""Pillow resampling filters (``PILImageResampling`` values) -> torch interpolation modes."""


TIE_MARGIN = 2e-4
"""Grey levels added before rounding down at 0.5: Pillow and OpenCV round exact halves up in fixed point, where the
same value in float32 can land a few ulps below the half."""


class UnsupportedPreprocessing(ValueError):
    """The processor does something the device path does not reproduce; the message says what."""


def as_nchw_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 RGB (N, H, W, 3) -> contiguous float32 (N, 3, H, W) holding the same 0..255 values."""
    return images.permute(0, 3, 1, 2).float().contiguous()


def round_half_up(values: torch.Tensor) -> torch.Tensor:
    """float 0..255 values rounded to 8-bit levels as fixed-point resamplers do: halves up, clipped."""
    return torch.floor(values + (0.5 + TIE_MARGIN)).clamp_(0.0, 255.0)


def pillow_resize(images: torch.Tensor, height: int, width: int, mode: str, width_first: bool = True
                  ) -> torch.Tensor:
    """float (N, C, H, W) of 0..255 values resized as Pillow resizes 8-bit images: antialiased ``mode``
    ('bilinear' or 'bicubic'), one axis after the other, each pass rounded half up and clipped to 0..255."""
    for axis in ((-1, -2) if width_first else (-2, -1)):
        target = width if axis == -1 else height
        if images.shape[axis] != target:
            size = (images.shape[-2], target) if axis == -1 else (target, images.shape[-1])
            images = round_half_up(F.interpolate(images, size=size, mode=mode, align_corners=False, antialias=True))
    return images


@functools.lru_cache(maxsize=64)
def pillow_resizes_width_first(source_hw: tuple[int, int], target_hw: tuple[int, int], mode: str) -> bool:
    """Whether the installed Pillow resamples width before height for this resize, read off Pillow by resizing a
    noise image and comparing with both orders (the wrong one is off on a large share of the pixels)."""
    from PIL import Image

    if source_hw[0] == target_hw[0] or source_hw[1] == target_hw[1]:
        return True
    noise = np.random.default_rng(0).integers(0, 256, (*source_hw, 3), dtype=np.uint8)
    filters = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}
    reference = torch.from_numpy(np.array(Image.fromarray(noise).resize(target_hw[::-1], filters[mode])))
    values = as_nchw_float(torch.from_numpy(noise)[None])
    errors = [float((pillow_resize(values, *target_hw, mode, width_first)[0].permute(1, 2, 0) - reference).abs()
                    .mean()) for width_first in (True, False)]
    return errors[0] <= errors[1]


def _area_weights(source: int, target: int, upsampling_formula: bool) -> np.ndarray:
    """float64 (target, source) matrix of OpenCV's INTER_AREA along one axis.

    With ``upsampling_formula`` false (both axes shrink) each output pixel averages the source interval it covers,
    partly covered pixels by their covered fraction; otherwise OpenCV's area-mode linear interpolation.
    """
    scale = source / target
    weights = np.zeros((target, source))
    for index in range(target):
        if not upsampling_formula:
            start, end = index * scale, (index + 1) * scale
            first, last = int(math.floor(start)), min(int(math.ceil(end)), source)
            for pixel in range(first, last):
                weights[index, pixel] = (min(end, pixel + 1) - max(start, pixel)) / scale
            continue
        pixel = int(math.floor(index * scale))
        fraction = (index + 1) - (pixel + 1) / scale
        fraction = 0.0 if fraction <= 0.0 else fraction - math.floor(fraction)
        if pixel >= source - 1:
            pixel, fraction = source - 1, 0.0
        weights[index, pixel] += 1.0 - fraction
        if fraction > 0.0:
            weights[index, pixel + 1] += fraction
    return weights


class AreaResize:
    """OpenCV's ``cv2.resize(..., interpolation=INTER_AREA)`` of 8-bit images as two matrix products on a device.

    Built for one (height, width) -> (target height, target width); call on float (N, C, H, W) of 0..255 values.
    """

    def __init__(self, source_hw: tuple[int, int], target_hw: tuple[int, int], device: str | torch.device) -> None:
        upsampling = target_hw[0] > source_hw[0] or target_hw[1] > source_hw[1]
        self._rows = torch.from_numpy(_area_weights(source_hw[0], target_hw[0], upsampling)).float().to(device)
        self._columns = torch.from_numpy(_area_weights(source_hw[1], target_hw[1], upsampling)).float().to(device)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return round_half_up(torch.matmul(torch.matmul(self._rows, images), self._columns.T))


def _size_entry(size, key: str) -> int | None:
    """``size[key]`` of a processor's size (a dict or a transformers SizeDict), None when absent or unset."""
    if size is None:
        return None
    value = size.get(key) if isinstance(size, dict) else getattr(size, key, None)
    return int(value) if value else None


def _resample_mode(resample) -> str:
    """The torch mode of a processor's ``resample`` (a Pillow filter number or a torchvision InterpolationMode)."""
    value = getattr(resample, "value", resample)
    if isinstance(value, str) and value in ("bilinear", "bicubic"):
        return value
    if isinstance(value, int) and value in RESAMPLE_MODES:
        return RESAMPLE_MODES[value]
    raise UnsupportedPreprocessing(f"resampling filter {resample!r} (only bilinear and bicubic are reproduced)")


def _multiple_of(value: float, multiple: float) -> int:
    """transformers' ``constrain_to_multiple_of`` (round to the nearest multiple, never below 0)."""
    rounded = round(value / multiple) * multiple
    return int(math.ceil(value / multiple) * multiple if rounded < 0 else rounded)


def processor_family(processor) -> str:
    """'dpt', 'zoedepth' or 'glpn' for the processors reproduced here; raises UnsupportedPreprocessing."""
    name = type(processor).__name__
    for prefix, family in PROCESSOR_FAMILIES.items():
        if name.startswith(prefix):
            return family
    raise UnsupportedPreprocessing(f"{name} is not reproduced on the device "
                                   f"(only {', '.join(PROCESSOR_FAMILIES)})")


class ProcessorOnDevice:
    """A transformers depth image processor's resize, rescale, normalise and padding, on uint8 RGB batches on a
    torch device. ``input_size`` (height, width) overrides the processor's size as the ``hf`` backend does."""

    def __init__(self, processor, input_size: tuple[int, int], device: str) -> None:
        self.family = processor_family(processor)
        if getattr(processor, "do_center_crop", False):
            raise UnsupportedPreprocessing("center cropping is not reproduced on the device")
        self.resize = bool(getattr(processor, "do_resize", True))
        self.mode = _resample_mode(getattr(processor, "resample", 2)) if self.resize else "bilinear"
        size = getattr(processor, "size", None)
        self.size = ((int(input_size[0]), int(input_size[1])) if all(input_size)
                     else (_size_entry(size, "height"), _size_entry(size, "width")))
        if self.family != "glpn" and self.resize and None in self.size:
            raise UnsupportedPreprocessing(f"size {size} is not a height x width size")
        self.keep_aspect_ratio = bool(getattr(processor, "keep_aspect_ratio", False))
        self.multiple = float(getattr(processor, "ensure_multiple_of", 1) or 1)
        self.size_divisor = int(getattr(processor, "size_divisor", None) or (32 if self.family == "glpn" else 1))
        do_pad = bool(getattr(processor, "do_pad", False))
        self.center_pad = self.family == "dpt" and do_pad and self.size_divisor > 1
        self.reflect_pad = self.family == "zoedepth" and do_pad
        self._pillow = getattr(processor, "backend", "") == "pil"
        rescale = float(processor.rescale_factor) if getattr(processor, "do_rescale", True) else 1.0
        normalise = bool(getattr(processor, "do_normalize", False))
        mean = np.asarray(processor.image_mean if normalise else (0.0, 0.0, 0.0), dtype=np.float32)
        std = np.asarray(processor.image_std if normalise else (1.0, 1.0, 1.0), dtype=np.float32)
        self._rescale = rescale
        self._mean = torch.from_numpy(mean).reshape(1, 3, 1, 1).to(device)
        self._std = torch.from_numpy(std).reshape(1, 3, 1, 1).to(device)
        self._scale = torch.from_numpy(np.float32(rescale) / std).reshape(1, 3, 1, 1).to(device)
        self._shift = (-self._mean / self._std)

    def resized_size(self, height: int, width: int) -> tuple[int, int]:
        """(height, width) the processor resizes an image of ``height`` x ``width`` to (before any padding that
        follows the resize)."""
        if not self.resize:
            return height, width
        if self.family == "glpn":
            return height // self.size_divisor * self.size_divisor, width // self.size_divisor * self.size_divisor
        scale_height, scale_width = self.size[0] / height, self.size[1] / width
        if self.keep_aspect_ratio:
            if abs(1 - scale_width) < abs(1 - scale_height):
                scale_height = scale_width
            else:
                scale_width = scale_height
        return _multiple_of(scale_height * height, self.multiple), _multiple_of(scale_width * width, self.multiple)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 RGB (N, H, W, 3) on the device -> float32 pixel values (N, 3, h, w), as the processor gives."""
        values = as_nchw_float(images)
        if self.family == "zoedepth":
            return self._zoedepth(values)
        source_hw = tuple(values.shape[-2:])
        height, width = self.resized_size(*source_hw)
        width_first = not self._pillow or pillow_resizes_width_first(source_hw, (height, width), self.mode)
        values = pillow_resize(values, height, width, self.mode, width_first) * self._scale + self._shift
        if self.center_pad:
            pad_h = -height % self.size_divisor
            pad_w = -width % self.size_divisor
            values = F.pad(values, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))
        return values

    def _zoedepth(self, values: torch.Tensor) -> torch.Tensor:
        """ZoeDepth's order: rescale, reflection padding, float resize with aligned corners, normalise."""
        values = values * self._rescale
        if self.reflect_pad:
            pad_h = int(np.sqrt(values.shape[-2] / 2) * 3)
            pad_w = int(np.sqrt(values.shape[-1] / 2) * 3)
            values = F.pad(values, (pad_w, pad_w, pad_h, pad_h), mode="reflect")
        if self.resize:
            values = F.interpolate(values, size=self.resized_size(*values.shape[-2:]), mode=self.mode,
                                   align_corners=True)
        return (values - self._mean) / self._std
