"""Fog: Koschmieder's law with the exp, exp2 and linear transmissions, along each pixel's ray, in linear light."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.colour import to_linear, to_srgb
from monodepth_ros.core.effects.compositing.fog import FogParams, fog, ray_distance

WIDTH, HEIGHT = 120, 80
INTRINSICS = Intrinsics(100.0, 100.0, (WIDTH - 1) / 2, (HEIGHT - 1) / 2, WIDTH, HEIGHT)
DEPTHS_M = np.array([0.5, 2.0, 5.0, 10.0, 30.0, np.nan], np.float32)


def scene() -> tuple[np.ndarray, np.ndarray]:
    """Vertical bands of depth (one per DEPTHS_M value, the last without depth) over a colour gradient."""
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, WIDTH).astype(np.uint8)[None, :]
    rgb[..., 1] = np.linspace(30, 220, HEIGHT).astype(np.uint8)[:, None]
    rgb[..., 2] = 60
    depth = np.repeat(DEPTHS_M, WIDTH // len(DEPTHS_M))[None, :].repeat(HEIGHT, axis=0)
    return rgb, depth


def expected_transmission(distance: np.ndarray, params: FogParams) -> np.ndarray:
    distance = np.where(np.isfinite(distance), distance, np.inf)
    if params.fog_mode == "linear":
        return np.clip((params.end_m - distance) / (params.end_m - params.start_m), 0.0, 1.0)
    optical = np.maximum(distance - params.start_m, 0.0) * params.density
    return np.exp(-(optical ** 2 if params.fog_mode == "exp2" else optical))


@pytest.mark.parametrize("params", [FogParams(fog_mode="exp", density=0.2, fog_color=(210, 220, 230)),
                                    FogParams(fog_mode="exp2", density=0.1, start_m=1.0),
                                    FogParams(fog_mode="linear", start_m=1.0, end_m=12.0, fog_color=(40, 40, 40))],
                         ids=["exp", "exp2", "linear"])
def test_fog_follows_koschmieders_law_along_the_ray(params):
    rgb, depth = scene()
    out = fog(rgb, depth, INTRINSICS, params)
    v, u = np.mgrid[0:HEIGHT, 0:WIDTH]
    ray = depth * np.sqrt(1 + ((u - INTRINSICS.cx) / 100.0) ** 2 + ((v - INTRINSICS.cy) / 100.0) ** 2)
    transmission = expected_transmission(ray, params)[..., None]
    airlight = to_linear(np.array(params.fog_color, np.uint8))
    expected = to_srgb(transmission * to_linear(rgb) + (1 - transmission) * airlight)
    assert np.abs(out.astype(int) - expected).max() <= 1
    no_depth = np.isnan(depth)
    assert (np.abs(out[no_depth].astype(int) - params.fog_color) <= 1).all(), "missing depth is fog"


def test_ray_distance_is_longer_off_axis_and_density_zero_is_clear():
    depth = np.full((HEIGHT, WIDTH), 4.0, np.float32)
    distance = ray_distance(depth, INTRINSICS)
    assert distance[HEIGHT // 2, WIDTH // 2] == pytest.approx(4.0, abs=0.01)
    corner = 4.0 * np.sqrt(1 + (INTRINSICS.cx / 100.0) ** 2 + (INTRINSICS.cy / 100.0) ** 2)
    assert distance[0, 0] == pytest.approx(corner, rel=1e-5)
    rgb, _ = scene()
    np.testing.assert_array_equal(fog(rgb, depth, INTRINSICS, FogParams(density=0.0)), rgb)


def test_linear_fog_needs_end_beyond_start():
    with pytest.raises(ValueError, match="end_m"):
        FogParams(fog_mode="linear", start_m=5.0, end_m=4.0)
