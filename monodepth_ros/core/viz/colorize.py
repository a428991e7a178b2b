"""Depth maps as RGB images: turbo colour map, a labelled scale bar, and side-by-side panels.

Near is red, far is blue; pixels without depth (NaN, inf) are black.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

ROBUST_PERCENTILES = (2.0, 98.0)
MIN_RANGE_M = 0.01
FONT = cv2.FONT_HERSHEY_SIMPLEX
TICK_TARGET_COUNT = 5
BAR_WIDTH_PX = 16
PANEL_BACKGROUND = 32
TEXT_COLOUR = (255, 255, 255)


def colorize_depth(depth: np.ndarray, min_m: float | None = None, max_m: float | None = None,
                   large_is_red: bool = False) -> tuple[np.ndarray, tuple[float, float]]:
    """Colour ``depth`` float (H, W) in metres with the turbo map.

    Depth <= ``min_m`` is red, >= ``max_m`` blue; a bound left as None is the 2nd/98th percentile of the
    finite pixels. Returns (uint8 (H, W, 3) RGB image, (min_m, max_m) used). Raises ValueError when a bound
    must come from the data but no pixel is finite, or when max_m <= min_m. ``large_is_red`` reverses the
    map (for error images: large errors red).
    """
    depth = np.asarray(depth)
    if depth.ndim != 2:
        raise ValueError(f"expected depth of shape (H, W), got {depth.shape}")
    finite = np.isfinite(depth)
    if min_m is None or max_m is None:
        if not finite.any():
            raise ValueError("depth has no finite pixels; pass min_m and max_m to colour it")
        low, high = (float(v) for v in np.percentile(depth[finite], ROBUST_PERCENTILES))
        min_m = low if min_m is None else float(min_m)
        max_m = max(high, min_m + MIN_RANGE_M) if max_m is None else float(max_m)
    min_m, max_m = float(min_m), float(max_m)
    if not max_m > min_m:
        raise ValueError(f"max_m ({max_m}) must be greater than min_m ({min_m})")
    nearness = (max_m - np.where(finite, depth, max_m)) / (max_m - min_m)
    if large_is_red:
        nearness = 1.0 - nearness
    indices = np.rint(np.clip(nearness, 0.0, 1.0) * 255.0).astype(np.uint8)
    rgb = cv2.cvtColor(cv2.applyColorMap(indices, cv2.COLORMAP_TURBO), cv2.COLOR_BGR2RGB)
    rgb[~finite] = 0
    return rgb, (min_m, max_m)


def with_scale_bar(rgb_colored: np.ndarray, min_m: float, max_m: float, label: str = "depth [m]",
                   large_is_red: bool = False) -> np.ndarray:
    """Append on the right of ``rgb_colored`` uint8 (H, W, 3) a colour bar from ``min_m`` (bottom) to
    ``max_m`` (top) with tick labels in metres. Returns uint8 (H, W + panel width, 3) RGB.
    """
    _check_rgb(rgb_colored)
    if not max_m > min_m:
        raise ValueError(f"max_m ({max_m}) must be greater than min_m ({min_m})")
    height = rgb_colored.shape[0]
    font_scale = max(0.4, height / 1000.0)
    thickness = 1 if font_scale < 0.8 else 2
    (_, text_height), baseline = cv2.getTextSize("0", FONT, font_scale, thickness)
    bar_top = text_height + baseline + 2 * text_height
    bar_bottom = height - text_height
    if bar_bottom - bar_top < 2:
        raise ValueError(f"image height {height} px is too small for a scale bar")

    ticks = _nice_ticks(min_m, max_m, TICK_TARGET_COUNT)
    decimals = _decimals_for(ticks)
    tick_labels = [f"{value:.{decimals}f}" for value in ticks]
    label_width = cv2.getTextSize(label, FONT, font_scale, thickness)[0][0]
    tick_label_width = max(cv2.getTextSize(text, FONT, font_scale, thickness)[0][0] for text in tick_labels)
    margin = text_height
    tick_length = BAR_WIDTH_PX // 3
    panel_width = max(label_width, BAR_WIDTH_PX + tick_length + margin // 2 + tick_label_width) + 2 * margin
    panel = np.full((height, panel_width, 3), PANEL_BACKGROUND, dtype=np.uint8)

    bar_rows = bar_bottom - bar_top
    bar_depth = np.repeat(np.linspace(max_m, min_m, bar_rows, dtype=np.float64)[:, None], BAR_WIDTH_PX, axis=1)
    panel[bar_top:bar_bottom, margin:margin + BAR_WIDTH_PX] = colorize_depth(bar_depth, min_m, max_m, large_is_red)[0]
    cv2.putText(panel, label, (margin, text_height + baseline), FONT, font_scale, TEXT_COLOUR, thickness,
                cv2.LINE_AA)
    tick_x = margin + BAR_WIDTH_PX
    for value, text in zip(ticks, tick_labels):
        row = bar_top + int(round((max_m - value) / (max_m - min_m) * (bar_rows - 1)))
        cv2.line(panel, (tick_x, row), (tick_x + tick_length, row), TEXT_COLOUR, thickness)
        cv2.putText(panel, text, (tick_x + tick_length + margin // 2, row + text_height // 2), FONT, font_scale,
                    TEXT_COLOUR, thickness, cv2.LINE_AA)
    return np.concatenate([rgb_colored, panel], axis=1)


def side_by_side(*images: np.ndarray) -> np.ndarray:
    """Join uint8 (H_i, W_i, 3) images left to right, padding shorter ones with black at the bottom.

    Returns uint8 (max H_i, sum W_i, 3).
    """
    if not images:
        raise ValueError("side_by_side needs at least one image")
    for image in images:
        _check_rgb(image)
    height = max(image.shape[0] for image in images)
    padded = [np.pad(image, ((0, height - image.shape[0]), (0, 0), (0, 0))) for image in images]
    return np.concatenate(padded, axis=1)


def _check_rgb(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise ValueError(f"expected a uint8 RGB image (H, W, 3), got {dtype} {shape}")


def _nice_ticks(low: float, high: float, target_count: int) -> list[float]:
    """Round values (steps of 1, 2 or 5 x 10^k) inside [low, high], about ``target_count`` of them."""
    raw_step = (high - low) / max(target_count - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    step = min((m * magnitude for m in (1.0, 2.0, 5.0, 10.0)), key=lambda s: abs(math.log(s / raw_step)))
    first = math.ceil(low / step - 1e-9) * step
    count = int(math.floor((high - first) / step + 1e-9)) + 1
    return [first + i * step for i in range(count)]


def _decimals_for(ticks: list[float]) -> int:
    """Fewest decimals that tell the ticks apart."""
    if len(ticks) < 2:
        return 2
    step = ticks[1] - ticks[0]
    return max(0, -math.floor(math.log10(step) + 1e-9))
