"""Spatially varying correction of a globally fitted depth towards sparse LiDAR depth."""
from __future__ import annotations

import math

import cv2
import numpy as np

from monodepth_ros.core.fusion.config import GroundPlaneConfig, GuidedFilterConfig, LocalCorrectionConfig

STEP_EPS_FACTOR = 0.01
"""The guided filter's eps near depth steps the LiDAR shows, relative to GuidedFilterConfig.eps."""


def local_correction(global_depth: np.ndarray, rows: np.ndarray, columns: np.ndarray, lidar: np.ndarray,
                     config: LocalCorrectionConfig, rng: np.random.Generator) -> np.ndarray:
    """global_depth float32 (H, W) metres with the local log correction applied; NaN stays NaN.

    ``rows``, ``columns`` int (N,): pixels of the valid LiDAR points; ``lidar`` float64 (N,): their depth, metres.
    ``rng`` samples the ground plane's RANSAC. The stages are those of step 3 in scale_fusion's docstring.
    """
    if config.strength == 0.0:
        return global_depth
    with np.errstate(invalid="ignore", divide="ignore"):
        log_depth = np.log(global_depth)
    point_log_depth = log_depth[rows, columns].astype(np.float64)
    residual = np.log(lidar) - point_log_depth
    usable = np.isfinite(residual)
    if not usable.any():
        return global_depth
    image = _WorkingImage(log_depth, float(np.median(point_log_depth[usable])), config)
    points = _Points(image, rows[usable], columns[usable], lidar[usable], point_log_depth[usable], residual[usable])
    sigma_px = _fine_sigma_px(image, points, config)
    max_gap = sigma_px / image.subsample
    ground = _fit_ground_plane(image, points, _lowest_rows(image, points, max_gap)[0], sigma_px, config.ground, rng)
    keep = _agreeing(image, points, sigma_px, config)
    if ground is not None:
        keep |= ground[1]
    if not keep.any():
        return global_depth
    points = points.subset(keep)
    prior = np.float32(config.prior_points)
    fallback = _coarse_correction(image, points, config.coarse_factor * sigma_px, prior)
    numerator, weight = _normalized_convolution(image, points, sigma_px, layered=True)
    correction = (numerator + prior * fallback) / (weight + prior)
    steps = _stop_at_discontinuities(image, points, correction, sigma_px, config)
    if ground is not None:
        plane, on_plane = ground
        _extrapolate_ground(image, correction, *_lowest_rows(image, points, max_gap, on_plane[keep]), plane)
    full_correction = _snapped_to_edges(image, correction, config.guided_filter, steps)
    corrected = global_depth * np.exp(np.float32(config.strength) * full_correction)
    return corrected.astype(np.float32, copy=False)


class _WorkingImage:
    """The globally corrected log depth at full resolution and at the local stage's working resolution, 1 /
    ``subsample`` of it (see LocalCorrectionConfig.working_px), float32, invalid pixels holding ``fill``; and its
    log-depth layers: ``layers`` layers ``layer_spacing`` apart from ``layer_origin`` (at least ``range_sigma_log``
    apart, at most ``max_layers`` of them), with each working pixel's lower layer and its fraction towards the
    next."""

    def __init__(self, log_depth: np.ndarray, fill: float, config: LocalCorrectionConfig) -> None:
        self.full_height, self.full_width = log_depth.shape
        self.subsample = math.ceil(max(self.full_height, self.full_width) / config.working_px)
        self.full_log_depth = np.where(np.isfinite(log_depth), log_depth, np.float32(fill)).astype(np.float32)
        self.height = max(1, math.ceil(self.full_height / self.subsample))
        self.width = max(1, math.ceil(self.full_width / self.subsample))
        self.log_depth = cv2.resize(self.full_log_depth, (self.width, self.height), interpolation=cv2.INTER_NEAREST)
        low, high = float(self.log_depth.min()), float(self.log_depth.max())
        self.layer_origin = low
        self.layer_spacing = max(config.range_sigma_log, (high - low) / (config.max_layers - 1))
        self.layers = int(math.floor((high - low) / self.layer_spacing)) + 2
        self.lower_layer, self.layer_fraction = self.layer_coordinates(self.log_depth)

    def layer_coordinates(self, log_depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower layer (int64) and the fraction (float32) towards the next one of log depths."""
        position = np.clip((log_depth - self.layer_origin) / self.layer_spacing, 0.0, self.layers - 1.0001)
        lower = np.floor(position).astype(np.int64)
        return lower, (position - lower).astype(np.float32)

    def normalised(self, rows, columns) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution pixel coordinates as x = (column - W / 2) / H and y = (row - H / 2) / H."""
        height = float(self.full_height)
        return (np.asarray(columns) - 0.5 * self.full_width) / height, (np.asarray(rows) - 0.5 * height) / height


class _Points:
    """LiDAR points of the local stage, arrays of shape (M,): full-resolution and working-resolution pixel, LiDAR
    depth (m), globally corrected log depth there and residual (log of LiDAR / globally corrected depth)."""

    def __init__(self, image: _WorkingImage, rows, columns, lidar, log_depth, residual) -> None:
        self.image = image
        self.rows, self.columns, self.lidar, self.log_depth, self.residual = rows, columns, lidar, log_depth, residual
        self.working_rows = np.minimum(rows // image.subsample, image.height - 1)
        self.working_columns = np.minimum(columns // image.subsample, image.width - 1)

    def subset(self, keep: np.ndarray) -> _Points:
        return _Points(self.image, self.rows[keep], self.columns[keep], self.lidar[keep], self.log_depth[keep],
                       self.residual[keep])


class _Grid:
    """Cells of ``cell`` x ``cell`` working pixels, two a ``sigma_px``, with ``layers`` layers along a range axis.

    Points are splatted into it and blurred in space by exp(-d^2 / (2 sigma_px^2)), d in full-resolution pixels:
    the blurred weights count the points near a cell, a point counting 1 in its own cell.
    """

    def __init__(self, image: _WorkingImage, sigma_px: float, layers: int) -> None:
        self.image, self.sigma_px, self.layers = image, sigma_px, layers
        self.cell = max(1, round(sigma_px / (2.0 * image.subsample)))
        self.rows = math.ceil(image.height / self.cell)
        self.columns = math.ceil(image.width / self.cell)

    def cells(self, points: _Points) -> tuple[np.ndarray, np.ndarray]:
        """Cell row and column of each point."""
        return points.working_rows // self.cell, points.working_columns // self.cell

    def blurred(self, cell_rows, cell_columns, layer, weights, values=None) -> np.ndarray:
        """float32 (rows, columns, layers) blurred sums of the weights or, with ``values``, float32 (rows, columns,
        2 * layers), blurred sums of weights x ``values`` in the first ``layers`` channels, of weights in the
        others."""
        channels = self.layers if values is None else 2 * self.layers
        index = (cell_rows * self.columns + cell_columns) * channels + layer
        if values is not None:
            index = np.concatenate([index, index + self.layers])
            weights = np.concatenate([weights * values, weights])
        sums = np.bincount(index, weights, self.rows * self.columns * channels).astype(np.float32)
        sigma_cells = self.sigma_px / (self.cell * self.image.subsample)
        offsets = np.arange(-math.ceil(3.0 * sigma_cells), math.ceil(3.0 * sigma_cells) + 1, dtype=np.float32)
        kernel = np.exp(-0.5 * (offsets / np.float32(sigma_cells)) ** 2)
        return cv2.sepFilter2D(sums.reshape(self.rows, self.columns, channels), cv2.CV_32F, kernel, kernel,
                               borderType=cv2.BORDER_CONSTANT)

    def upsampled(self, grid: np.ndarray) -> np.ndarray:
        """A (rows, columns[, channels]) grid bilinearly interpolated to ``cell`` times its size, so that cell
        centres land on the centres of their working pixels; at least the working resolution."""
        return cv2.resize(grid, (self.columns * self.cell, self.rows * self.cell), interpolation=cv2.INTER_LINEAR)


def _fine_sigma_px(image: _WorkingImage, points: _Points, config: LocalCorrectionConfig) -> float:
    """Spatial sigma (full-resolution px) of the fine level from the LiDAR density: ``sigma_factor`` x the
    mean distance from the pixels between the top and the bottom point of each column to the nearest point."""
    mask = np.zeros((image.height, image.width), dtype=bool)
    mask[points.working_rows, points.working_columns] = True
    top = mask.argmax(axis=0)
    bottom = image.height - 1 - mask[::-1].argmax(axis=0)
    row = np.arange(image.height)[:, None]
    covered = mask.any(axis=0) & (row >= top) & (row <= bottom)
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    mean_distance_px = image.subsample * float(distance[covered].mean())
    return float(np.clip(config.sigma_factor * mean_distance_px, config.sigma_min_px,
                         config.sigma_max_px))


def _agreeing(image: _WorkingImage, points: _Points, sigma_px: float, config: LocalCorrectionConfig) -> np.ndarray:
    """bool (M,): points whose residual agrees (within one to one and a half ``outlier_log``) with at least
    ``min_agreement`` of the other points around them, Gaussian-weighted with ``sigma_px``, and the global
    fit, which counts as ``prior_points`` points of residual zero. Isolated points thus take part when they
    are near the global fit, and a point far from it needs neighbours that confirm it."""
    residual = points.residual
    low, high = min(float(residual.min()), 0.0), max(float(residual.max()), 0.0)
    spacing = max(0.5 * config.outlier_log, (high - low) / (2 * config.max_layers - 1))
    layer = np.floor((residual - low) / spacing).astype(np.int64) + 2
    grid = _Grid(image, sigma_px, int(layer.max()) + 3)
    cell_rows, cell_columns = grid.cells(points)
    around = grid.blurred(cell_rows, cell_columns, layer, np.ones(residual.size))[cell_rows, cell_columns]
    point = np.arange(residual.size)
    near_global = np.abs(layer - (math.floor(-low / spacing) + 2)) <= 2
    agreeing = sum(around[point, layer + offset] for offset in range(-2, 3)) - 1.0
    agreeing += config.prior_points * near_global
    return agreeing >= config.min_agreement * (around.sum(axis=1) - 1.0 + config.prior_points)


def _coarse_correction(image: _WorkingImage, points: _Points, sigma_px: float, prior: np.float32) -> np.ndarray:
    """Log correction float32 (working H, W) at ``sigma_px``: the normalized convolution of the residuals in
    (row, column, log depth) shrunk by ``prior`` towards the one in space, itself shrunk towards zero."""
    numerator, weight = _normalized_convolution(image, points, sigma_px, layered=False)
    spatial = numerator / (weight + prior)
    numerator, weight = _normalized_convolution(image, points, sigma_px, layered=True)
    return (numerator + prior * spatial) / (weight + prior)


def _bilateral_sums(image: _WorkingImage, points: _Points, sigma_px: float) -> tuple[_Grid, np.ndarray]:
    """The residuals splatted into a grid over (row, column, log depth), the image's log-depth layers, and blurred
    in space: the grid and float32 (rows, columns, 2 * layers) sums of Gaussian-weighted residuals and weights."""
    grid = _Grid(image, sigma_px, image.layers)
    cell_rows, cell_columns = grid.cells(points)
    lower, fraction = image.layer_coordinates(points.log_depth)
    twice = np.concatenate
    return grid, grid.blurred(twice([cell_rows, cell_rows]), twice([cell_columns, cell_columns]),
                              twice([lower, lower + 1]), twice([1.0 - fraction, fraction]),
                              twice([points.residual, points.residual]))


def _normalized_convolution(image: _WorkingImage, points: _Points, sigma_px: float,
                            layered: bool) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian-weighted sums of the residuals and of the weights, float32 (working H, W) each: in space or, when
    ``layered``, in (row, column, log depth) over the image's log-depth layers (a bilateral grid)."""
    if not layered:
        grid = _Grid(image, sigma_px, 1)
        cell_rows, cell_columns = grid.cells(points)
        sums = grid.upsampled(grid.blurred(cell_rows, cell_columns, np.zeros(cell_rows.size, dtype=np.int64),
                                           np.ones(cell_rows.size), points.residual))
        return sums[:image.height, :image.width, 0], sums[:image.height, :image.width, 1]
    grid, sums = _bilateral_sums(image, points, sigma_px)
    sums = grid.upsampled(sums)
    pixel = np.arange(image.height)[:, None] * sums.shape[1] + np.arange(image.width)[None, :]
    below = pixel * (2 * image.layers) + image.lower_layer
    flat = sums.reshape(-1)
    fraction = image.layer_fraction

    def sliced(first_channel: int) -> np.ndarray:
        return ((1.0 - fraction) * flat.take(below + first_channel)
                + fraction * flat.take(below + (first_channel + 1)))

    return sliced(0), sliced(image.layers)


def _stop_at_discontinuities(image: _WorkingImage, points: _Points, correction: np.ndarray, sigma_px: float,
                             config: LocalCorrectionConfig) -> np.ndarray:
    """Finds the depth steps the LiDAR shows: working pixels whose points within three fine sigmas (in rows and
    columns) disagree by more than ``outlier_log``; returns them, bool (working H, W). Where the prediction is
    flat there (its log-depth variance in the guided filter's window is below eps: no edge to follow), sets the
    log ``correction`` (working H, W) to the residual of the nearest point, in place, so that it changes half-way
    between the points on either side of the step instead of blending across it: a near obstacle's correction
    does not leak into the surface behind it. Where the prediction has an edge, _snapped_to_edges puts the step
    there."""
    radius = max(1, round(3.0 * sigma_px / image.subsample))
    outlier_log = config.outlier_log
    shape = (image.height, image.width)
    highest = np.full(shape, -np.inf, np.float32)
    lowest = np.full(shape, np.inf, np.float32)
    np.maximum.at(highest, (points.working_rows, points.working_columns), points.residual.astype(np.float32))
    np.minimum.at(lowest, (points.working_rows, points.working_columns), points.residual.astype(np.float32))
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    spread = cv2.dilate(highest, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=-np.inf) - cv2.erode(
        lowest, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=np.inf)
    with np.errstate(invalid="ignore"):
        step = spread > outlier_log
    window = 2 * max(1, round(config.guided_filter.radius_px / image.subsample)) + 1
    guide = image.log_depth
    variance = (cv2.boxFilter(guide * guide, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
                - cv2.boxFilter(guide, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT) ** 2)
    cut = step & (variance < np.float32(config.guided_filter.eps))
    if not cut.any():
        return step
    has_point = np.isfinite(highest)
    _, labels = cv2.distanceTransformWithLabels((~has_point).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    mean_residual = np.zeros(shape, np.float64)
    counts = np.zeros(shape, np.float64)
    np.add.at(mean_residual, (points.working_rows, points.working_columns), points.residual)
    np.add.at(counts, (points.working_rows, points.working_columns), 1.0)
    nearest = (mean_residual[has_point] / counts[has_point]).astype(np.float32)
    correction[cut] = nearest[labels[cut] - 1]
    return step


def _lowest_rows(image: _WorkingImage, points: _Points, max_gap: float,
                 on_plane: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per working column: the lowest working row with a point within ``max_gap`` columns, int64 (W,), -1 where
    there is none, and whether a point on that row lies on the ground (``on_plane``, bool (M,)), bool (W,)."""
    key = np.full((image.height, image.width), -1.0, dtype=np.float32)
    key[points.working_rows, points.working_columns] = 2.0 * points.working_rows
    if on_plane is not None:
        key[points.working_rows[on_plane], points.working_columns[on_plane]] += 1.0
    window = np.ones((1, 2 * int(max_gap) + 1), dtype=np.uint8)
    key = cv2.dilate(key.max(axis=0)[None, :], window, borderType=cv2.BORDER_CONSTANT, borderValue=-1.0)[0]
    found = key >= 0.0
    return np.where(found, key // 2.0, -1).astype(np.int64), found & (key % 2.0 == 1.0)


def _fit_ground_plane(image: _WorkingImage, points: _Points, lowest: np.ndarray, sigma_px: float,
                      config: GroundPlaneConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """The ground seen by the lowest LiDAR points: (plane, on_plane) or None.

    ``plane`` float64 (3,) holds a, b, c of the inverse depth a * x + b * y + c (1/m) at the normalised
    coordinates of _WorkingImage.normalised; ``on_plane`` bool (M,) marks the candidates within
    ``inlier_log`` of it. The candidates are the points within 3 ``sigma_px`` of the lowest point of their
    column (``lowest`` from _lowest_rows); the plane is found by RANSAC on candidate triples and refined on its
    inliers. It is a ground when at least ``min_points`` candidates lie on it, its inverse depth grows downwards
    and it reaches zero (the horizon) less than one image height above the image.
    """
    candidates = np.flatnonzero(points.working_rows >= lowest[points.working_columns]
                                - 3.0 * sigma_px / image.subsample)
    if candidates.size < config.min_points:
        return None
    x, y = image.normalised(points.rows, points.columns)
    design = np.stack([x, y, np.ones_like(x)], axis=1)
    inverse = 1.0 / points.lidar

    def on(plane: np.ndarray, selection) -> np.ndarray:
        return np.abs(design[selection] @ plane - inverse[selection]) < config.inlier_log * inverse[selection]

    triples = candidates[rng.integers(0, candidates.size, size=(config.hypotheses, 3))]
    systems = design[triples]
    solvable = np.abs(np.linalg.det(systems)) > 1e-9
    if not solvable.any():
        return None
    hypotheses = np.linalg.solve(systems[solvable], inverse[triples[solvable]][..., None])[..., 0]
    scored = candidates[::max(1, candidates.size // config.scored_points)]
    votes = (np.abs(design[scored] @ hypotheses.T - inverse[scored, None])
             < config.inlier_log * inverse[scored, None]).sum(axis=0)
    plane = hypotheses[int(np.argmax(votes))]
    for _ in range(3):
        inliers = candidates[on(plane, candidates)]
        if inliers.size < 3:
            return None
        plane = np.linalg.lstsq(design[inliers] / inverse[inliers, None], np.ones(inliers.size), rcond=None)[0]
    on_plane = np.zeros(inverse.size, dtype=bool)
    on_plane[candidates] = on(plane, candidates)
    _, downwards, at_centre = plane
    if on_plane.sum() < config.min_points or not downwards > 0.0 or -at_centre / downwards < -1.5:
        return None
    return plane, on_plane


def _extrapolate_ground(image: _WorkingImage, correction: np.ndarray, lowest: np.ndarray, on_ground: np.ndarray,
                        plane: np.ndarray) -> None:
    """Below the lowest point of each column (``lowest``, ``on_ground`` from _lowest_rows), sets the log
    ``correction`` (working H, W) to the ground plane's where that point lies on the ground, else to the nearer of
    the two; in place."""
    x, y = image.normalised((np.arange(image.height) + 0.5) * image.subsample - 0.5,
                            (np.arange(image.width) + 0.5) * image.subsample - 0.5)
    inverse = (plane[0] * x[None, :] + plane[1] * y[:, None] + plane[2]).astype(np.float32)
    below = (np.arange(image.height)[:, None] > lowest[None, :]) & (lowest >= 0)[None, :] & (inverse > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ground = -np.log(inverse) - image.log_depth
    replace = below & (on_ground[None, :] | (ground < correction))
    correction[replace] = ground[replace]


def _snapped_to_edges(image: _WorkingImage, correction: np.ndarray, config: GuidedFilterConfig,
                      steps: np.ndarray) -> np.ndarray:
    """The log ``correction`` (working H, W) at full resolution, float32 (H, W): guided-filtered (guide: the log
    depth) in proportion to the structure of the prediction, so that it follows the prediction's depth edges, and
    as it is where the prediction is flat, so that the edges the LiDAR alone shows are not blurred; clipped to the
    range of ``correction``. Both are linear in the guide: slope * log depth + offset, with coefficients computed at
    the working resolution and bilinearly upsampled. Within the filter's radius of the LiDAR's depth ``steps``
    (bool (working H, W)) eps shrinks by STEP_EPS_FACTOR, so that even a weak edge of the prediction takes the
    whole step rather than spreading part of it over the window."""
    radius = max(1, round(config.radius_px / image.subsample))
    eps = np.float32(config.eps)
    if steps.any():
        near_steps = cv2.dilate(steps.astype(np.uint8), np.ones((2 * radius + 1, 2 * radius + 1), np.uint8))
        eps = np.where(near_steps > 0, eps * np.float32(STEP_EPS_FACTOR), eps).astype(np.float32)
    slope, offset, structure = _guided_filter_coefficients(image.log_depth, correction, radius, eps)
    slope *= structure
    offset = structure * offset + (1.0 - structure) * correction
    size = (image.full_width, image.full_height)
    slope = cv2.resize(slope, size, interpolation=cv2.INTER_LINEAR)
    offset = cv2.resize(offset, size, interpolation=cv2.INTER_LINEAR)
    return np.clip(slope * image.full_log_depth + offset, correction.min(), correction.max())


def _guided_filter_coefficients(guide: np.ndarray, source: np.ndarray, radius: int,
                                eps: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """He et al.'s guided filter: window-averaged a, b (float32, shape of guide) so output = a * guide + b, and
    the structure of the guide, variance / (variance + eps) in the window around each pixel (0 where it is flat,
    near 1 at its edges)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(image):
        return cv2.boxFilter(image, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_guide, mean_source = mean(guide), mean(source)
    covariance = mean(guide * source) - mean_guide * mean_source
    variance = mean(guide * guide) - mean_guide * mean_guide
    slope = covariance / (variance + np.float32(eps))
    offset = mean_source - slope * mean_guide
    return mean(slope), mean(offset), variance / (variance + np.float32(eps))
