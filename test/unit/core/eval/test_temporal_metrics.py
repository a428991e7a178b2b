"""TAE (Video Depth Anything's definition) and the flicker figure."""
import numpy as np
import pytest

from monodepth_ros.core.eval.temporal_metrics import flicker, tae, tae_pair

HEIGHT, WIDTH = 30, 40
K = np.array([[40.0, 0.0, 19.5], [0.0, 40.0, 14.5], [0.0, 0.0, 1.0]])


def camera_at(z_m: float, x_m: float = 0.0) -> np.ndarray:
    """Camera-to-world of an optical frame looking along world z, at (x_m, 0, z_m)."""
    pose = np.eye(4)
    pose[:3, 3] = [x_m, 0.0, z_m]
    return pose


def wall_depth(distance_m: float) -> np.ndarray:
    """A fronto-parallel wall at ``distance_m``: the same depth everywhere."""
    return np.full((HEIGHT, WIDTH), distance_m)


def test_consistent_depth_of_a_moving_camera_has_zero_tae():
    poses = np.stack([camera_at(0.0), camera_at(0.1), camera_at(0.2, 0.05)])
    depth = np.stack([wall_depth(3.0), wall_depth(2.9), wall_depth(2.8)])
    assert tae(depth, poses, K) == pytest.approx(0.0, abs=1e-12)


def test_a_scale_jump_gives_the_hand_computed_tae():
    poses = np.stack([camera_at(0.0), camera_at(0.1)])
    depth = np.stack([wall_depth(3.0), wall_depth(2.9 * 1.1)])
    forward = abs(2.9 * 1.1 - 2.9) / (2.9 * 1.1)  # frame 0 moved to frame 1: z = 2.9 against 3.19
    backward = abs(3.0 - (2.9 * 1.1 + 0.1)) / 3.0  # frame 1 moved back: z = 3.29 against 3.0
    assert tae(depth, poses, K) == pytest.approx(100.0 * (forward + backward) / 2.0, rel=1e-9)


def test_pixels_without_depth_are_skipped_and_an_empty_pair_counts_zero():
    depth_from, depth_to = wall_depth(3.0), wall_depth(3.3)
    depth_to[:, :20] = np.nan
    assert tae_pair(depth_from, depth_to, np.eye(4), K) == pytest.approx(0.3 / 3.3)
    assert tae_pair(depth_from, np.full((HEIGHT, WIDTH), np.nan), np.eye(4), K) == 0.0
    behind = np.eye(4)
    behind[2, 3] = -10.0
    assert tae_pair(depth_from, depth_to, behind, K) == 0.0


def test_tae_needs_matching_poses():
    with pytest.raises(ValueError, match="poses"):
        tae(np.ones((3, HEIGHT, WIDTH)), np.stack([np.eye(4)] * 2), K)
    assert np.isnan(tae(np.ones((1, HEIGHT, WIDTH)), np.eye(4)[None], K))


def test_flicker_is_the_mean_of_the_median_relative_changes_on_steady_pixels():
    gt = np.full((3, 2, 2), 2.0)
    gt[1:, 0, 0] = 3.0  # changes by 50 %: left out of the first pair
    depth = np.stack([np.full((2, 2), 2.0), np.full((2, 2), 2.2), np.full((2, 2), 2.2 * 0.95)])
    depth[1, 1, 1] = np.nan
    assert flicker(depth, gt) == pytest.approx(np.mean([0.1, 0.05]))
    assert np.isnan(flicker(depth[:1], gt[:1]))
