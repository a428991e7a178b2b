"""Subject isolation by depth: a matte from a depth range, refined at the edges by the image, and the background
blurred, replaced by a colour or an image, or made transparent.

The matte starts as the pixels whose depth lies in [subject_near_m, subject_far_m] (``subject`` = auto:
everything nearer than the depth that best splits near from far, Otsu's threshold on log-depth). Depth maps are
soft and misaligned at object edges, so the image decides a band around the depth edge: a local two-colour model
(as in Bayesian and closed-form matting) takes the mean colour of the sure subject and of the sure background near
each band pixel, and the pixel's alpha is where its colour lies between the two, which also gives mixed edge
pixels their fractional alpha. The composite is alpha * image + (1 - alpha) * background in linear light; a
blurred background is blurred with the subject left out (normalised convolution), so the subject leaves no halo
in it. Missing depth counts as background.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import to_linear, to_srgb
from monodepth_ros.core.effects.options import check_options, option
from monodepth_ros.core.effects.scene import split_depth

EDGE_REGULARISATION = 1e-3
"""Colours (in [0, 1]) of subject and background closer than 2 * sqrt(1e-3) = 0.06 are too alike to decide by."""
BLUR_SCALE = 4
"""The background blur runs at 1/BLUR_SCALE resolution (it is wide; detail would not survive it anyway)."""


@dataclass(frozen=True)
class IsolateParams:
    subject: str = option("auto", "Which depths are the subject: auto (everything nearer than the best split of "
                          "near and far) or range (subject_near_m to subject_far_m)", choices=("auto", "range"))
    subject_near_m: float = option(0.0, "Nearest subject distance (metres) with subject = range", 0.0, 100000.0,
                           implies=("subject", "range"))
    subject_far_m: float = option(2.0, "Farthest subject distance (metres) with subject = range", 0.01, 100000.0,
                          implies=("subject", "range"))
    background: str = option("blur", "What replaces the background: blur, color (background_color), image "
                             "(background_image), transparent (an RGBA image; PNG output)",
                             choices=("blur", "color", "image", "transparent"))
    background_blur_px: float = option(20.0, "Gaussian sigma (pixels) of the background blur", 0.5, 500.0)
    background_color: tuple = option((0, 177, 64), "Background colour (R, G, B, 0..255)", 0, 255)
    background_image: str = option("", "Image file that replaces the background (scaled to cover the frame)")
    edge_radius_px: int = option(8, "Edge refinement: pixels within half of this of the depth edge are decided by "
                                 "colour, against the colours within this radius (pixels); 0 = the depth matte as "
                                 "it is", 0, 200)

    def __post_init__(self) -> None:
        check_options(self)
        if self.subject == "range" and self.subject_far_m <= self.subject_near_m:
            raise ValueError(f"subject_far_m ({self.subject_far_m}) must exceed subject_near_m "
                             f"({self.subject_near_m})")
        if self.background == "image" and not self.background_image:
            raise ValueError("background = image needs background_image (an image file)")


def resolved(depth_m: np.ndarray, params: IsolateParams) -> IsolateParams:
    """``params`` with the depth range of subject = auto taken from this depth map."""
    if params.subject == "range":
        return params
    split = split_depth(depth_m)
    far_m = split if np.isfinite(split) else 2.0
    return dataclasses.replace(params, subject="range", subject_near_m=0.0, subject_far_m=float(max(far_m, 0.01)))


def _box_sums(planes: list[np.ndarray], window: tuple[int, int]) -> np.ndarray:
    """(C, h, w): each float32 (h, w) plane summed (mean) over ``window``."""
    sums = np.empty((len(planes), *planes[0].shape), np.float32)
    for index, plane in enumerate(planes):
        cv2.boxFilter(plane, cv2.CV_32F, window, dst=sums[index], borderType=cv2.BORDER_REFLECT)
    return sums


def refined_matte(rgb: np.ndarray, hard: np.ndarray, radius: int) -> np.ndarray:
    """float32 (H, W) alpha: the 0/1 depth matte ``hard`` with the band of ``radius`` // 2 pixels around its edge
    decided by colour. Each band pixel takes the mean colours F of the sure subject and B of the sure background
    within ``radius`` (the band itself excluded; at half resolution) and its alpha from where its colour lies
    between them: alpha = clip((I - B) . (F - B) / |F - B|^2, 0, 1). Where F and B are alike, or one is missing,
    the depth decides."""
    height, width = hard.shape
    inside = (hard > 0.5).astype(np.uint8)
    band_kernel = np.ones((2 * max(radius // 2, 1) + 1,) * 2, np.uint8)
    band = cv2.dilate(inside, band_kernel) != cv2.erode(inside, band_kernel)
    rows, columns = np.nonzero(band)
    if rows.size == 0:
        return hard
    scale = 2 if min(height, width) >= 64 else 1
    size = (max(width // scale, 1), max(height // scale, 1))
    window = (2 * max(radius // scale, 1) + 1,) * 2
    small_colour = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32) * np.float32(1.0 / 255.0)
    sure = [cv2.resize(((inside == value) & ~band).astype(np.float32), size, interpolation=cv2.INTER_AREA)
            for value in (1, 0)]
    planes = [small_colour[..., channel] * share for share in sure for channel in range(3)]
    sums = _box_sums(planes + sure, window)
    small_rows = np.minimum(rows // scale, size[1] - 1)
    small_columns = np.minimum(columns // scale, size[0] - 1)
    sums = sums[:, small_rows, small_columns]
    subject_share, background_share = sums[6], sums[7]
    known = (subject_share > 1e-3) & (background_share > 1e-3)
    subject_colour = sums[0:3] / np.maximum(subject_share, 1e-3)
    background_colour = sums[3:6] / np.maximum(background_share, 1e-3)
    difference = subject_colour - background_colour
    separation = (difference * difference).sum(axis=0)
    known &= separation > 4.0 * EDGE_REGULARISATION
    colour = rgb[rows, columns].T.astype(np.float32) * np.float32(1.0 / 255.0)
    position = ((colour - background_colour) * difference).sum(axis=0) / np.maximum(separation, 1e-6)
    alpha = hard.copy()
    alpha[rows, columns] = np.where(known, np.clip(position, 0.0, 1.0), hard[rows, columns])
    return alpha


def matte(rgb: np.ndarray, depth_m: np.ndarray, params: IsolateParams) -> np.ndarray:
    """float32 (H, W) alpha in [0, 1]: 1 on the subject."""
    params = resolved(depth_m, params)
    with np.errstate(invalid="ignore"):
        hard = ((depth_m >= params.subject_near_m) & (depth_m <= params.subject_far_m)).astype(np.float32)
    if params.edge_radius_px == 0:
        return hard
    return refined_matte(rgb, hard, params.edge_radius_px)


@lru_cache(maxsize=4)
def _background_image(path: str, width: int, height: int) -> np.ndarray:
    """The image at ``path`` scaled and centre-cropped to cover width x height, uint8 RGB (H, W, 3)."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read background image {path}")
    scale = max(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, (max(width, round(image.shape[1] * scale)), max(height, round(image.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)
    top, left = (resized.shape[0] - height) // 2, (resized.shape[1] - width) // 2
    return np.ascontiguousarray(resized[top:top + height, left:left + width, ::-1])


def _blurred_background(rgb: np.ndarray, alpha: np.ndarray, sigma_px: float) -> np.ndarray:
    """uint8 (H, W, 3): the pure background (alpha 0) blurred in linear light, its gaps (the subject) filled by
    the normalised convolution, at 1/BLUR_SCALE resolution."""
    height, width = alpha.shape
    size = (max(width // BLUR_SCALE, 1), max(height // BLUR_SCALE, 1))
    background = (alpha <= 0.0).astype(np.uint8)
    weight = cv2.resize(background.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    # The mean of the background pixels of each block (sRGB; blocks are small), then weighted in linear light.
    mean = cv2.resize(cv2.bitwise_and(rgb, rgb, mask=background), size, interpolation=cv2.INTER_AREA)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.clip(mean / np.maximum(weight, 1e-3)[..., None], 0, 255).astype(np.uint8)
    planes = [cv2.GaussianBlur(plane, (0, 0), sigma_px / BLUR_SCALE, borderType=cv2.BORDER_REPLICATE)
              for plane in (*np.moveaxis(to_linear(mean) * weight[..., None], 2, 0), weight)]
    blurred = np.stack(planes[:3], axis=2) / np.maximum(planes[3], 1e-4)[..., None]
    return cv2.resize(to_srgb(blurred), (width, height), interpolation=cv2.INTER_LINEAR)


def isolate(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: IsolateParams) -> np.ndarray:
    """uint8 (H, W, 3), or (H, W, 4) RGBA with background = transparent: the subject over the new background."""
    alpha = matte(rgb, depth_m, params)
    if params.background == "transparent":
        rgba = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA)
        rgba[..., 3] = np.round(alpha * 255.0).astype(np.uint8)
        return rgba
    if params.background == "blur":
        background = _blurred_background(rgb, alpha, params.background_blur_px)
    elif params.background == "color":
        background = np.broadcast_to(np.asarray(params.background_color, np.uint8), rgb.shape)
    else:
        background = _background_image(params.background_image, rgb.shape[1], rgb.shape[0])
    out = np.where((alpha >= 1.0)[..., None], rgb, background)
    rows, columns = np.nonzero((alpha > 0.0) & (alpha < 1.0))
    if rows.size:
        mix = alpha[rows, columns, None]
        linear = to_linear(rgb[rows, columns]) * mix + to_linear(background[rows, columns]) * (1.0 - mix)
        out[rows, columns] = to_srgb(linear)
    return out
