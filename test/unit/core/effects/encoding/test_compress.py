"""Depth-aware compression: the subject passes unchanged, the far background is smoothed, the change between them
follows depth, and missing depth counts as background."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.encoding.compress import CompressParams, background_weight, compress, resolved

WIDTH, HEIGHT = 96, 64
INTRINSICS = Intrinsics(80.0, 80.0, 47.5, 31.5, WIDTH, HEIGHT)
SUBJECT = (slice(16, 48), slice(30, 66))


def noisy_scene() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    depth = np.full((HEIGHT, WIDTH), 6.0, np.float32)
    depth[SUBJECT] = 1.5
    return rgb, depth


def test_the_subject_is_unchanged_and_the_background_loses_its_detail():
    rgb, depth = noisy_scene()
    out = compress(rgb, depth, INTRINSICS, CompressParams())
    np.testing.assert_array_equal(out[SUBJECT], rgb[SUBJECT])
    background = np.ones((HEIGHT, WIDTH), bool)
    background[SUBJECT] = False
    detail = lambda image: np.abs(np.diff(image.astype(float), axis=1))[background[:, 1:]].mean()
    assert detail(out) < 0.25 * detail(rgb)
    assert abs(out[background].astype(float).mean() - rgb[background].astype(float).mean()) < 3.0


def test_the_weight_rises_smoothly_with_depth_beyond_the_subject():
    depth = np.array([[0.5, 2.0, 2.5, 3.0, 3.5, 10.0, np.nan, 0.0]], np.float32)
    weight = background_weight(depth, CompressParams(sharp_until_m=2.0, transition=0.5))
    np.testing.assert_allclose(weight[0], [0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0], atol=1e-6)


def test_auto_takes_the_split_of_near_and_far():
    _, depth = noisy_scene()
    sharp = resolved(depth, CompressParams()).sharp_until_m
    assert 1.5 <= sharp < 6.0
    assert resolved(depth, CompressParams(sharp_until_m=4.0)).sharp_until_m == 4.0
    with pytest.raises(ValueError, match="transition must lie in"):
        CompressParams(transition=0.0)
