"""Sequences of the synthetic scene: the walking mover, poses consistent with the ground truth, projected LiDAR."""
from __future__ import annotations

import numpy as np
import pytest

from monodepth_ros.core.eval.temporal_metrics import tae
from monodepth_ros.core.sim.config import SimSceneConfig
from monodepth_ros.core.sim.scene import SimScene
from monodepth_ros.core.sim.sequence import render_sequence

SMALL = {"image_width": 80, "image_height": 60, "lidar_horizontal_resolution_deg": 1.0}


@pytest.fixture(scope="module")
def sequence():
    scene = SimScene(SimSceneConfig(mover_distance_m=3.0, mover_speed_mps=0.8, **SMALL))
    return render_sequence(scene, frames=8, fps=10.0)


def test_the_mover_walks_across_the_path_and_is_labelled(sequence):
    visible = sequence.moving.sum(axis=(1, 2))
    assert (visible > 0).all()
    columns = [np.nonzero(mask.any(axis=0))[0].mean() for mask in sequence.moving]
    assert columns[-1] - columns[0] > 5, "the mover crosses the image from left to right"
    mover_depth = [np.median(depth[mask]) for depth, mask in zip(sequence.depth, sequence.moving)]
    assert 1.5 < min(mover_depth) and max(mover_depth) < 3.5


def test_the_mover_is_an_obstacle_where_it_is():
    scene = SimScene(SimSceneConfig(mover_distance_m=3.0, mover_speed_mps=1.0, mover_span_m=2.0, **SMALL))
    scene.set_time(0.0)
    start = scene.mover.centre_xy
    scene.set_time(1.0)
    assert scene.mover in scene.current_obstacles()
    assert np.hypot(*np.subtract(scene.mover.centre_xy, start)) == pytest.approx(1.0)
    scene.set_time(2.0)
    assert np.hypot(*np.subtract(scene.mover.centre_xy, start)) == pytest.approx(2.0)
    scene.set_time(4.0)
    np.testing.assert_allclose(scene.mover.centre_xy, start, atol=1e-9)


def test_poses_stamps_and_lidar_of_the_sequence(sequence):
    np.testing.assert_allclose(sequence.stamps, np.arange(8) / 10.0)
    np.testing.assert_allclose(sequence.poses[:, 3], [[0.0, 0.0, 0.0, 1.0]] * 8)
    steps = np.linalg.norm(np.diff(sequence.poses[:, :3, 3], axis=0), axis=1)
    np.testing.assert_allclose(steps, 0.05, rtol=0.02)  # 0.5 m/s at 10 fps
    static_gt = np.where(sequence.moving, np.nan, sequence.depth)
    assert tae(static_gt, sequence.poses, sequence.K) < 2.0, "the ground truth agrees with the poses"
    hits = np.isfinite(sequence.sparse) & np.isfinite(sequence.depth)
    assert hits.sum() > 50
    assert np.median(np.abs(sequence.sparse[hits] / sequence.depth[hits] - 1.0)) < 0.02


def test_a_scene_without_mover_has_no_moving_pixels():
    sequence = render_sequence(SimScene(SimSceneConfig(**SMALL)), frames=2, fps=10.0)
    assert not sequence.moving.any()
    with pytest.raises(ValueError, match="frames >= 1"):
        render_sequence(SimScene(SimSceneConfig(**SMALL)), frames=0, fps=10.0)
