"""AR insertion: a virtual object rendered with the camera intrinsics and hidden by the real scene where the scene
is nearer, by a per-pixel depth test.

The object is a textured billboard (a rectangle facing the anchor camera, ``object_size_m`` width x height) or a
textured box (width x height x depth), centred at ``object_position_m`` (metres, x right, y down, z forward in the
optical frame of the anchor camera) and turned by ``object_yaw_deg`` about the vertical axis. Each face is a quad
(centre c, half-axes a and b); the ray of pixel (u, v), r = R^T K^-1 [u, v, 1] in the anchor frame, meets its
plane at t = (n . c) / (n . r) with n = a x b, which is also the depth along the current optical axis (r's z in the
current frame is 1); it hits the face when |(t r - c) . a| <= |a|^2 and likewise for b. ``camera_rotation`` is the
rotation vector (radians) R of the anchor camera's coordinates into the current camera's.

The depth test is soft where the depth is uncertain: the object covers the scene with probability
P(Z_scene > Z_object) under a Gaussian error of the scene depth, sigma = depth_tolerance * Z_scene * (1 + E),
where E, the relative depth step within EDGE_WINDOW_PX pixels, widens it at depth edges (where monocular depth is
least sure: its confidence is lowest). Missing depth counts as far: the object shows. Compositing is in linear
light, weighted by the texture's alpha.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import to_linear, to_srgb
from monodepth_ros.core.effects.options import check_options, option

EDGE_WINDOW_PX = 5
LOGISTIC_SCALE = 1.702
"""Logistic approximation of the Gaussian CDF: Phi(x) ~ 1 / (1 + exp(-1.702 x)), within 0.01."""
CHECKER_SQUARES = 4


@dataclass(frozen=True)
class ArInsertParams:
    object_shape: str = option("billboard", "Virtual object: billboard (a textured rectangle facing the camera) or "
                               "box (a textured box)", choices=("billboard", "box"))
    object_image: str = option("", "Texture of the object: an image file, RGBA for a cut-out billboard; "
                               "empty = a checkerboard")
    object_position_m: tuple = option((0.0, 0.0, 2.0), "Centre of the object (x right, y down, z forward, metres) "
                                      "in the anchor camera's optical frame", -1000.0, 1000.0)
    object_size_m: tuple = option((0.5, 0.5, 0.5), "Width, height and depth of the object (metres; a billboard "
                                  "uses width and height)", 0.001, 1000.0)
    object_yaw_deg: float = option(0.0, "Turn of the object about the vertical axis (degrees)", -360.0, 360.0)
    depth_tolerance: float = option(0.03, "Depth test softness: the scene depth's error as a share of the depth "
                                    "(widened at depth edges); 0 = a hard test", 0.0, 1.0)
    anchor: str = option("world", "world: on video the object stays in place while the camera turns (tracked by "
                         "a homography; a camera that moves is not followed); camera: fixed in the image",
                         choices=("world", "camera"))
    camera_rotation: tuple = option((0.0, 0.0, 0.0), "Rotation vector (radians) from the anchor camera to this "
                                    "frame's camera; with anchor = world on video, the tracked turn adds to it",
                                    -10.0, 10.0)

    def __post_init__(self) -> None:
        check_options(self)
        if self.object_position_m[2] <= 0.0:
            raise ValueError(f"object_position_m must be in front of the camera (z > 0), got "
                             f"{self.object_position_m[2]}")


@lru_cache(maxsize=4)
def object_texture(path: str) -> np.ndarray:
    """float32 (H, W, 4): linear RGB and alpha in [0, 1] of the texture file, or a checkerboard for ''."""
    if not path:
        size = 64 * CHECKER_SQUARES
        squares = (np.indices((size, size)) // 64).sum(axis=0) % 2
        rgb = np.where(squares[..., None] == 1, np.array([230, 60, 40], np.uint8), np.array([245, 245, 235], np.uint8))
        return np.concatenate([to_linear(rgb), np.ones((size, size, 1), np.float32)], axis=2)
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"cannot read the object image {path!r}")
    if image.dtype != np.uint8:
        image = (image / (np.iinfo(image.dtype).max / 255.0)).astype(np.uint8)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    alpha = image[..., 3:4].astype(np.float32) / 255.0 if image.shape[2] == 4 else np.ones(image.shape[:2] + (1,),
                                                                                            np.float32)
    return np.concatenate([to_linear(np.ascontiguousarray(image[..., 2::-1])), alpha], axis=2)


def _faces(params: ArInsertParams) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(centre, half-axis a, half-axis b) of each face, float64 (3,), in the anchor frame."""
    yaw = np.radians(params.object_yaw_deg)
    turn = np.array([[np.cos(yaw), 0.0, np.sin(yaw)], [0.0, 1.0, 0.0], [-np.sin(yaw), 0.0, np.cos(yaw)]])
    x, y, z = (turn[:, axis] * params.object_size_m[axis] / 2.0 for axis in range(3))
    centre = np.asarray(params.object_position_m, np.float64)
    if params.object_shape == "billboard":
        return [(centre, x, y)]
    return [(centre - z, x, y), (centre + z, -x, y), (centre - x, -z, y), (centre + x, z, y),
            (centre - y, x, z), (centre + y, x, -z)]


def render_object(intrinsics: Intrinsics, params: ArInsertParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The object alone: (linear RGB float32 (H, W, 3), alpha float32 (H, W), depth float32 (H, W) in metres,
    inf where it is absent), nearest face first; box faces shaded by their angle to the ray."""
    height, width = intrinsics.height, intrinsics.width
    rotation, _ = cv2.Rodrigues(np.asarray(params.camera_rotation, np.float64))
    columns = (np.arange(width, dtype=np.float32) - intrinsics.cx) / intrinsics.fx
    rows = (np.arange(height, dtype=np.float32) - intrinsics.cy) / intrinsics.fy
    rays = np.stack(np.broadcast_arrays(columns[None, :], rows[:, None], np.float32(1.0)), axis=-1)
    rays = rays @ rotation.astype(np.float32)  # (H, W, 3): R^T r per pixel, in the anchor frame
    texture = object_texture(params.object_image)
    tex_height, tex_width = texture.shape[:2]
    colour = np.zeros((height, width, 3), np.float32)
    alpha = np.zeros((height, width), np.float32)
    depth = np.full((height, width), np.inf, np.float32)
    for centre, half_a, half_b in _faces(params):
        normal = np.cross(half_a, half_b)
        facing = rays @ normal.astype(np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.float32(normal @ centre) / facing
        offset = rays * t[..., None] - centre.astype(np.float32)
        s = offset @ (half_a / (half_a @ half_a)).astype(np.float32)
        r = offset @ (half_b / (half_b @ half_b)).astype(np.float32)
        hit = (t > 0.0) & (np.abs(s) <= 1.0) & (np.abs(r) <= 1.0) & (t < depth)
        if not hit.any():
            continue
        map_x = ((s + 1.0) * 0.5 * (tex_width - 1)).astype(np.float32)
        map_y = ((r + 1.0) * 0.5 * (tex_height - 1)).astype(np.float32)
        sampled = cv2.remap(texture, np.where(hit, map_x, 0), np.where(hit, map_y, 0), cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REPLICATE)
        shade = 1.0
        if params.object_shape == "box":
            cosine = np.abs(facing) / (np.linalg.norm(normal) * np.linalg.norm(rays, axis=-1))
            shade = (0.35 + 0.65 * cosine)[hit][:, None]
        colour[hit] = sampled[hit][:, :3] * shade
        alpha[hit] = sampled[hit][:, 3]
        depth[hit] = t[hit]
    return colour, alpha, depth


def visibility(depth_m: np.ndarray, object_depth_m: np.ndarray, tolerance: float) -> np.ndarray:
    """float32 (H, W) in [0, 1]: the chance that the object at ``object_depth_m`` is in front of the scene at
    ``depth_m`` (both (H, W) metres; missing scene depth = far, object inf = absent)."""
    scene = np.asarray(depth_m, np.float32)
    scene = np.where(np.isfinite(scene) & (scene > 0.0), scene, np.inf).astype(np.float32)
    if tolerance <= 0.0:
        return (object_depth_m < scene).astype(np.float32)
    kernel = np.ones((EDGE_WINDOW_PX, EDGE_WINDOW_PX), np.uint8)
    finite = np.where(np.isfinite(scene), scene, 0.0).astype(np.float32)
    nearest = cv2.erode(np.where(np.isfinite(scene), scene, np.float32(3.4e38)), kernel)
    farthest = cv2.dilate(finite, kernel)
    edge = np.clip((farthest - nearest) / np.maximum(nearest, 1e-6), 0.0, 100.0)
    sigma = np.float32(tolerance) * finite * (1.0 + edge)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        margin = (scene - object_depth_m) / np.maximum(sigma, 1e-9)
        chance = 1.0 / (1.0 + np.exp(-LOGISTIC_SCALE * np.clip(margin, -50.0, 50.0)))
    chance = np.where(np.isinf(scene), 1.0, chance)
    return np.where(np.isfinite(object_depth_m), chance, 0.0).astype(np.float32)


def coverage(depth_m: np.ndarray, intrinsics: Intrinsics, params: ArInsertParams
             ) -> tuple[np.ndarray, np.ndarray]:
    """(object linear RGB float32 (H, W, 3), its opacity over the scene float32 (H, W) in [0, 1])."""
    colour, alpha, object_depth = render_object(intrinsics, params)
    return colour, alpha * visibility(depth_m, object_depth, params.depth_tolerance)


def ar_insert(rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, params: ArInsertParams) -> np.ndarray:
    """uint8 (H, W, 3): ``rgb`` with the virtual object, hidden where the scene (``depth_m`` float (H, W), metres
    along the optical axis) is nearer."""
    colour, opacity = coverage(depth_m, intrinsics, params)
    linear = to_linear(rgb[..., :3])
    linear += opacity[..., None] * (colour - linear)
    return to_srgb(linear)
