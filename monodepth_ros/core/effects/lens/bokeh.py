"""Refocus with a simulated lens: depth of field from the thin-lens circle of confusion.

Physics. A thin lens of focal length f and f-number N (aperture diameter A = f / N) focused at distance S images
a point at distance Z as a disc (the circle of confusion) of diameter on the sensor

    c = A * f / (S - f) * |Z - S| / Z.

The image's focal length in pixels, fx, fixes the pixel pitch p = f / fx, so in pixels

    c_px(Z) = K * |1 - S / Z|,   K = fx * f / (N * (S - f)),

where K is the blur of a point at infinity (``max_blur_px`` sets K directly). Points behind the focus plane get a
positive signed CoC K * (1 - S / Z), points in front a negative one; the signed CoC grows with depth, so ordering
by it is ordering by depth.

Rendering (occlusion-aware layered compositing, not a gather of a depth-varying blur). Each pixel goes to the two
depth layers whose blur radii bracket its own radius r = |c_px| / 2, with weights chosen in r^2 so that the
blur's second moment is that of a disc of radius r. Each layer is premultiplied by its coverage (alpha), blurred
by a disc of its radius in linear light, and the layers are composited back to front with "over":

- behind and at the focus plane, far to near; the sum is normalised by its coverage and holes (what the
  foreground hid) are filled from the surrounding background by push-pull interpolation. A sharp subject
  therefore never bleeds into the blurred background beside it: the background layers do not contain it.
- in front of the focus plane, near layers composited over that: a blurred foreground spreads over what is
  behind it, by its own blur radius.

A pixel keeps full coverage in the farther of its two layers (so that surfaces stay opaque), so its colour may
spread up to the radius of that layer, at most 35 % (one layer step) beyond its own; pixels whose blur circle
is at most 1 px across are not blurred at all. Large blurs are computed on a downsampled copy (the downsampling
is accounted for in the disc radius). Missing depth (NaN, inf, <= 0) counts as infinitely far.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import LUMA, to_linear, to_srgb
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import centre_depth, subject_depth

LAYER_RADII_PX = (0.0, 1.0, 2.0, 3.0, 4.0, 5.5, 7.5, 10.0, 13.5, 18.0, 24.0, 32.0, 43.0, 58.0, 78.0, 105.0, 140.0,
                  200.0)
"""Blur radii of the depth layers (pixels); neighbours differ by at most 35 %."""
SHARP_RADIUS_PX = 0.5
"""Pixels whose blur radius is at most this (a blur circle of 1 px) stay sharp."""
WORK_RADIUS_PX = 2.0
"""A layer is blurred at 1/d resolution, d the largest power of two with radius / d >= this."""
FALLBACK_FOCUS_M = 2.0


@dataclass(frozen=True)
class LensParams:
    """The simulated lens (shared by bokeh and rack-focus)."""

    f_number: float = option(1.4, "Aperture f-number N of the simulated lens (aperture diameter = focal length / N)",
                             0.5, 64.0)
    focal_length_mm: float = option(50.0, "Focal length of the simulated lens (millimetres); with the image's "
                                    "focal length in pixels it fixes the pixel pitch", 1.0, 2000.0)
    max_blur_px: float = option(0.0, "Blur circle diameter (pixels) of a point at infinity; > 0 replaces the lens "
                                "(f_number, focal_length_mm)", 0.0, 400.0)
    blur_limit_px: float = option(64.0, "Largest blur circle diameter (pixels); nearer foreground is clipped to it",
                                  1.0, 400.0)
    highlight_gain: float = option(1.0, "Gain on highlights before blurring, so point lights bloom into bright "
                                   "discs; 1 = off", 1.0, 50.0)
    highlight_threshold: float = option(0.8, "Linear luminance (0..1) from which highlight_gain starts to apply; "
                                        "it applies fully at 1", 0.0, 0.99)

    def __post_init__(self) -> None:
        check_options(self)


@dataclass(frozen=True)
class BokehParams(LensParams):
    focus: str = option("auto", "What is sharp: auto (the subject: the nearest large region, weighted to the "
                        "centre, else the centre), distance (focus_m), or pixel (the depth at focus_pixel)",
                        choices=("auto", "distance", "pixel"))
    focus_m: float = option(2.0, "Focus distance (metres) with focus = distance", 0.05, 1000.0,
                            implies=("focus", "distance"))
    focus_pixel: tuple = option((-1, -1), "Pixel (x, y) whose depth is the focus distance with focus = pixel; "
                                "negative = the image centre", -1, 100000, implies=("focus", "pixel"))


def focus_distance(depth_m: np.ndarray, params: BokehParams) -> float:
    """The focus distance (m) that ``params.focus`` selects in this depth map (FALLBACK_FOCUS_M without depth)."""
    if params.focus == "distance":
        return params.focus_m
    if params.focus == "pixel":
        height, width = depth_m.shape
        x, y = params.focus_pixel
        x = width // 2 if x < 0 else min(int(x), width - 1)
        y = height // 2 if y < 0 else min(int(y), height - 1)
        window = depth_m[max(y - 2, 0):y + 3, max(x - 2, 0):x + 3]
        valid = window[np.isfinite(window) & (window > 0.0)]
        distance = float(np.median(valid)) if valid.size else centre_depth(depth_m)
    else:
        distance = subject_depth(depth_m)
    return distance if np.isfinite(distance) and distance > 0.0 else FALLBACK_FOCUS_M


def blur_at_infinity_px(intrinsics: Intrinsics, params: LensParams, focus_m: float) -> float:
    """K: the blur circle diameter (pixels) of a point at infinity, ``max_blur_px`` or fx * f / (N * (S - f)).
    Focus distances under twice the focal length are taken as twice the focal length."""
    if params.max_blur_px > 0.0:
        return params.max_blur_px
    focal_m = params.focal_length_mm * 1e-3
    focus_m = max(focus_m, 2.0 * focal_m)
    return intrinsics.fx * focal_m / (params.f_number * (focus_m - focal_m))


def signed_coc_px(depth_m: np.ndarray, blur_at_infinity: float, focus_m: float) -> np.ndarray:
    """float32 (H, W): K * (1 - S / Z), the blur circle diameter in pixels, negative in front of the focus plane."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(np.isfinite(depth_m) & (depth_m > 0.0), 1.0 / depth_m, 0.0).astype(np.float32)
    return np.float32(blur_at_infinity) * (np.float32(1.0) - np.float32(focus_m) * inverse)


def _soft_disc(radius: float) -> np.ndarray:
    """Disc of ``radius`` pixels with a one-pixel anti-aliased rim, summing to 1."""
    half = int(np.ceil(radius + 0.5))
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    kernel = np.clip(radius + 0.5 - np.hypot(x, y), 0.0, 1.0).astype(np.float32)
    return kernel / kernel.sum()


def _rms_radius(kernel: np.ndarray) -> float:
    half = kernel.shape[0] // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    return float(np.sqrt(2.0 * (kernel * (x * x + y * y)).sum()))


@lru_cache(maxsize=64)
def _disc_kernel(radius: float) -> np.ndarray:
    """A soft-rimmed disc whose second moment is that of a disc of ``radius`` pixels (sqrt(2 E[r^2]) = radius;
    the rim and the pixel grid would otherwise make small discs too wide)."""
    low, high = 0.0, radius + 1.0
    for _ in range(30):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if _rms_radius(_soft_disc(middle)) < radius else (low, middle)
    return _soft_disc(0.5 * (low + high))


def _scale_for(radius: float) -> int:
    """Downsampling factor of a layer blurred at this radius (pixels): 1 up to 1 px, else at least 2."""
    if radius <= 1.0:
        return 1
    scale = 2
    while radius / (2 * scale) >= WORK_RADIUS_PX:
        scale *= 2
    return scale


def _planes(function, layer: np.ndarray) -> np.ndarray:
    """``function(plane, dst=...)`` (an OpenCV function) applied to each plane of a (C, h, w) array, written into
    one (C, h', w') array."""
    first = function(layer[0])
    planes = np.empty((len(layer), *first.shape), np.float32)
    planes[0] = first
    for index in range(1, len(layer)):
        function(layer[index], dst=planes[index])
    return planes


def _resized(layer: np.ndarray, size: tuple[int, int], interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """(C, h, w) resized to ``size`` (width, height)."""
    if (layer.shape[2], layer.shape[1]) == size:
        return layer
    return _planes(lambda plane, dst=None: cv2.resize(plane, size, dst=dst, interpolation=interpolation), layer)


def _blur(premultiplied: np.ndarray, radius: float, scale: int) -> np.ndarray:
    """Blur (4, h, w) premultiplied colour + coverage, given at 1/``scale`` of full resolution, by a disc that,
    with the down- and upsampling (variance scale^2 / 4 per axis), has the second moment of a disc of ``radius``
    full-resolution pixels."""
    kernel_radius = (np.sqrt(max(radius ** 2 - scale ** 2, 0.0)) / scale) if scale > 1 else radius
    if kernel_radius < 0.25:
        return premultiplied
    kernel = _disc_kernel(round(float(kernel_radius), 3))
    return _planes(lambda plane, dst=None: cv2.filter2D(plane, -1, kernel, dst=dst, borderType=cv2.BORDER_REPLICATE),
                   premultiplied)


def _premultiplied(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(4, h, w): colour * alpha and alpha, from (3, h, w) colour and (h, w) alpha (float32)."""
    layer = np.empty((4, *alpha.shape), np.float32)
    np.multiply(colour, alpha, out=layer[:3])
    layer[3] = alpha
    return layer


def _over(front: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Premultiplied ``front`` over ``back`` (both (4, h, w)) at the finer of their resolutions."""
    if front.shape[1] < back.shape[1]:
        front = _resized(front, (back.shape[2], back.shape[1]))
    elif back.shape[1] < front.shape[1]:
        back = _resized(back, (front.shape[2], front.shape[1]))
    return front + (np.float32(1.0) - front[3]) * back


def _over_opaque(front: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Premultiplied ``front`` (4, H, W) over the opaque colour ``back`` (3, H, W): opaque colour (3, H, W)."""
    return front[:3] + (np.float32(1.0) - front[3]) * back


def fill_from_surroundings(layer: np.ndarray) -> np.ndarray:
    """(3, h, w) opaque linear colour from (4, h, w) premultiplied colour + coverage: covered pixels keep their
    colour, the uncovered rest is interpolated from the covered surroundings (push-pull over an image pyramid)."""
    height, width = layer.shape[1:]
    alpha = np.minimum(layer[3], np.float32(1.0))
    if min(height, width) <= 4:
        total = layer[3].sum()
        mean = layer[:3].reshape(3, -1).sum(1) / total if total > 1e-6 else np.full(3, 0.5, np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            colour = np.where(alpha > 1e-6, layer[:3] / np.maximum(alpha, 1e-6), mean[:, None, None])
        return colour.astype(np.float32)
    coarse = fill_from_surroundings(_planes(cv2.pyrDown, layer))
    return layer[:3] + (np.float32(1.0) - alpha) * _resized(coarse, (width, height))


def _highlights(linear: np.ndarray, gain: float, threshold: float) -> np.ndarray:
    """(3, h, w) linear colour with highlights (luminance above ``threshold``) brightened up to ``gain``."""
    if gain <= 1.0:
        return linear
    luminance = np.tensordot(LUMA, linear, axes=1)
    ramp = np.clip((luminance - threshold) / (1.0 - threshold), 0.0, 1.0)
    return linear * (1.0 + (gain - 1.0) * ramp * ramp * (3.0 - 2.0 * ramp)).astype(np.float32)


def _coarse_weights(radius: np.ndarray, behind: bool) -> tuple[np.ndarray, ...]:
    """For radii >= 2 px: the index into LAYER_RADII_PX of the farther and the nearer bracketing layer, and the
    nearer one's share of coverage (the farther one has full coverage)."""
    radii = np.asarray(LAYER_RADII_PX, np.float32)
    lower = np.clip(np.searchsorted(radii, radius, side="right") - 1, 2, len(radii) - 2)
    low, high = radii[lower], radii[lower + 1]
    upper_weight = np.clip((radius * radius - low * low) / (high * high - low * low), 0.0, 1.0)
    upper = lower + (upper_weight > 0.0)
    farther, nearer = (upper, lower) if behind else (lower, upper)
    nearer_alpha = (1.0 - upper_weight if behind else upper_weight).astype(np.float32)
    nearer_alpha[farther == nearer] = 0.0
    return farther, nearer, nearer_alpha


def _coarse_layers(linear: np.ndarray, signed_coc: np.ndarray, coverage: np.ndarray, behind: bool
                   ) -> list[tuple[float, np.ndarray]]:
    """The blurred layers (radius, (4, h, w) premultiplied colour + coverage at their working resolution) of the
    pixels of one side of the focus plane whose blur radius exceeds 1 px, with ``coverage`` float32 (H, W) their
    share in them. They are assigned to layers at half resolution: from exact 2x2 means of colour and of the blur
    circle, weighted by coverage, so that no colour of the other side or of the sharp layers enters them."""
    if not coverage.any():
        return []
    height, width = coverage.shape
    size = ((width + 1) // 2, (height + 1) // 2)
    small = _resized(_premultiplied(linear, coverage), size, cv2.INTER_AREA)
    small_coc = cv2.resize(signed_coc * coverage, size, interpolation=cv2.INTER_AREA)
    alpha = small[3]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(alpha > 1e-6, 1.0 / alpha, 0.0).astype(np.float32)
    colour = small[:3] * scale
    radius = np.maximum(np.abs(small_coc * scale) * np.float32(0.5), np.float32(LAYER_RADII_PX[2]))
    farther, nearer, nearer_alpha = _coarse_weights(radius, behind)
    nearer_alpha *= alpha
    layers = []
    for index in np.union1d(np.unique(farther[alpha > 1e-6]), np.unique(nearer[nearer_alpha > 1e-6])):
        layer_alpha = (farther == index) * alpha
        layer_alpha += (nearer == index) * nearer_alpha
        radius_px = LAYER_RADII_PX[int(index)]
        working_scale = _scale_for(radius_px)
        layer = _premultiplied(colour, layer_alpha)
        if working_scale > 2:
            layer = _resized(layer, (max(size[0] * 2 // working_scale, 1), max(size[1] * 2 // working_scale, 1)),
                             cv2.INTER_AREA)
        layers.append((radius_px, _blur(layer, radius_px, working_scale)))
    return layers


def render_defocus(rgb: np.ndarray, signed_coc: np.ndarray, blur_limit_px: float = 64.0,
                   highlight_gain: float = 1.0, highlight_threshold: float = 0.8) -> np.ndarray:
    """uint8 (H, W, 3) sRGB blurred by the per-pixel signed blur circle diameter ``signed_coc`` float (H, W) in
    pixels (negative = in front of the focus plane), with occlusion (see the module docstring). Works on colour
    planes (3, H, W), so that every step runs over contiguous memory."""
    height, width = rgb.shape[:2]
    linear = _highlights(to_linear(np.moveaxis(rgb, 2, 0)), highlight_gain, highlight_threshold)
    signed_coc = np.clip(signed_coc, -blur_limit_px, blur_limit_px).astype(np.float32, copy=False)
    radius = np.abs(signed_coc) * np.float32(0.5)
    behind = signed_coc >= 0.0
    # Layers 0 and +-1 (radius 0 and 1 px) at full resolution, for the pixels of radius < 2 px; weights in r^2
    # between the bracketing radii 0, 1, 2 (a pixel has full coverage in the farther of its two layers).
    alpha_sharp, behind_one, front_one = (np.zeros((height, width), np.float32) for _ in range(3))
    front_coverage = ((radius > 1.0) & ~behind).astype(np.float32)
    fine = np.flatnonzero(radius < 2.0)
    if fine.size:
        squared = radius.ravel()[fine] ** 2
        side = behind.ravel()[fine]
        first_step = (squared > SHARP_RADIUS_PX ** 2) & (squared < 1.0)
        second_step = squared >= 1.0
        alpha_sharp.ravel()[fine] = np.where(first_step & side, 1.0 - squared, np.where(second_step, 0.0, 1.0))
        one = np.where(first_step, np.where(side, 1.0, squared),
                       np.where(second_step, np.where(side, (4.0 - squared) / 3.0, 1.0), 0.0))
        behind_one.ravel()[fine] = one * side
        front_one.ravel()[fine] = one * ~side
        front_coverage.ravel()[fine] *= np.where(second_step, (squared - 1.0) / 3.0, 1.0)
    behind_coverage = ((radius > 1.0) & behind).astype(np.float32)

    # Behind the focus plane: the blurred layers far to near at their resolutions, their holes filled from
    # themselves only (not from the sharp layers in front of them), then the nearly sharp layers over them.
    result = None
    for _, layer in sorted(_coarse_layers(linear, signed_coc, behind_coverage, True), key=lambda item: -item[0]):
        result = layer if result is None else _over(layer, result)
    if result is not None:
        background = _resized(fill_from_surroundings(result), (width, height))
        if behind_one.any():
            background = _over_opaque(_blur(_premultiplied(linear, behind_one), 1.0, 1), background)
        if alpha_sharp.any():
            background = linear * alpha_sharp + background * (np.float32(1.0) - alpha_sharp)
    else:
        for alpha, radius_px in ((behind_one, 1.0), (alpha_sharp, 0.0)):
            if alpha.any():
                layer = _blur(_premultiplied(linear, alpha), radius_px, 1)
                result = layer if result is None else _over(layer, result)
        background = np.zeros_like(linear) if result is None else fill_from_surroundings(result)

    # In front of it: near to far among themselves ("over" is associative), coarse to fine, over the rest.
    front = None
    for _, layer in sorted(_coarse_layers(linear, signed_coc, front_coverage, False),
                           key=lambda item: -item[0]):
        front = layer if front is None else _over(front, layer)
    if front_one.any():
        layer = _blur(_premultiplied(linear, front_one), 1.0, 1)
        front = layer if front is None else _over(front, layer)
    if front is not None:
        background = _over_opaque(_resized(front, (width, height)), background)
    return cv2.merge(list(to_srgb(background)))


def resolved(depth_m: np.ndarray, params: BokehParams) -> BokehParams:
    """``params`` with the focus distance of this depth map made explicit (focus = distance)."""
    return dataclasses.replace(params, focus="distance", focus_m=float(np.clip(focus_distance(depth_m, params),
                                                                               0.05, 1000.0)))


def bokeh(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: BokehParams) -> np.ndarray:
    """uint8 (H, W, 3) RGB refocused: sharp at the focus distance, blurred by the thin-lens circle of confusion
    elsewhere. ``depth_m`` float (H, W) in metres along the optical axis."""
    return defocus(rgb, depth_m, intrinsics, params, focus_distance(depth_m, params))


def defocus(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: LensParams,
            focus_m: float) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` through the lens ``params`` focused at ``focus_m`` metres."""
    signed = signed_coc_px(depth_m, blur_at_infinity_px(intrinsics, params, focus_m), focus_m)
    return render_defocus(rgb, signed, params.blur_limit_px, params.highlight_gain, params.highlight_threshold)
