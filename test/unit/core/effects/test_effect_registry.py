"""The effect registry and parameter descriptions: every effect runs on a frame, options are validated with clear
messages, and a parameter name means the same in every effect (the command line and the node share them)."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.options import with_options
from monodepth_ros.core.effects.registry import EFFECTS, UnknownEffectError, get_effect

WIDTH, HEIGHT = 96, 64
INTRINSICS = Intrinsics(80.0, 80.0, 47.5, 31.5, WIDTH, HEIGHT)


@pytest.mark.parametrize("name", sorted(EFFECTS))
def test_every_effect_maps_a_frame_to_an_image(name):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    depth = np.full((HEIGHT, WIDTH), 4.0, np.float32)
    depth[20:50, 30:70] = 1.5
    depth[0, :5] = np.nan
    effect = get_effect(name)
    out = effect.apply(rgb, depth, INTRINSICS, effect.defaults())
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] in (3, 4)
    assert out.shape[0] in (HEIGHT, 2 * HEIGHT) and out.shape[1] in (WIDTH, 2 * WIDTH)
    if effect.resolve is not None:
        resolved = effect.resolve(depth, INTRINSICS, effect.defaults())
        assert all(getattr(resolved, field) > 0.0 for field in effect.smoothed), "automatic distances are filled"
        np.testing.assert_array_equal(effect.apply(rgb, depth, INTRINSICS, resolved), out)


def test_unknown_effect_names_the_known_ones():
    with pytest.raises(UnknownEffectError, match="unknown effect 'blur'; choose one of bokeh, rack-focus"):
        get_effect("blur")


def test_a_field_name_means_the_same_in_every_effect():
    seen = {}
    for effect in EFFECTS.values():
        for field in effect.fields():
            if field.name in seen:
                other = seen[field.name]
                assert (field.kind, field.default, field.info) == (other.kind, other.default, other.info), field.name
            seen[field.name] = field


def test_options_are_converted_and_validated():
    fog = get_effect("fog").defaults()
    changed = with_options(fog, {"density": 1, "fog_color": [10, 20, 30]})
    assert changed.density == 1.0 and isinstance(changed.density, float) and changed.fog_color == (10, 20, 30)
    for values, message in (({"density": -1.0}, r"density must lie in \[0, 100\]"),
                            ({"fog_color": (1, 2)}, "fog_color takes 3 values"),
                            ({"fog_mode": "thick"}, "fog_mode must be one of exp, exp2, linear"),
                            ({"density": "a lot"}, "density must be a number"),
                            ({"visibility": 3.0}, "unknown parameter 'visibility'"),
                            ({"fog_mode": "linear", "start_m": 30.0}, "end_m")):
        with pytest.raises(ValueError, match=message):
            with_options(fog, values)
