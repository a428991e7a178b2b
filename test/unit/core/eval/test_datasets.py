"""The Middlebury Motorcycle loader and the DATA.npz evaluation format."""
import numpy as np
import pytest

from monodepth_ros.core.eval.datasets import load_eval_npz, load_middlebury_motorcycle, save_eval_npz


@pytest.fixture(scope="module")
def motorcycle():
    return load_middlebury_motorcycle()


def test_motorcycle_rgb_and_depth_are_aligned_images(motorcycle):
    rgb, depth, _ = motorcycle
    assert rgb.dtype == np.uint8 and rgb.shape == (500, 741, 3)
    assert depth.dtype == np.float32 and depth.shape == rgb.shape[:2]


def test_motorcycle_depth_is_indoor_metres_with_nan_holes(motorcycle):
    _, depth, _ = motorcycle
    known = depth[np.isfinite(depth)]
    assert 0.5 < known.size / depth.size < 1.0
    assert known.min() >= 2.0 and known.max() <= 5.5
    assert 2.0 < np.median(known) < 4.0


def test_motorcycle_camera_matrix(motorcycle):
    _, _, k = motorcycle
    assert k.dtype == np.float64
    np.testing.assert_allclose(k, [[994.978, 0.0, 311.193], [0.0, 994.978, 254.877], [0.0, 0.0, 1.0]])


def test_npz_round_trip_adds_frame_axis_and_turns_zero_into_nan(tmp_path):
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    depth = rng.uniform(1.0, 3.0, size=(4, 5)).astype(np.float32)
    depth[0, 0] = 0.0
    depth[1, 1] = np.nan
    k = np.array([[100.0, 0.0, 2.5], [0.0, 101.0, 2.0], [0.0, 0.0, 1.0]])
    path = tmp_path / "data.npz"
    save_eval_npz(path, rgb, depth, k)
    data = load_eval_npz(path)
    assert data.frames == 1
    np.testing.assert_array_equal(data.rgb, rgb[None])
    assert data.depth.dtype == np.float32 and data.depth.shape == (1, 4, 5)
    assert np.isnan(data.depth[0, 0, 0]) and np.isnan(data.depth[0, 1, 1])
    known = np.isfinite(depth) & (depth > 0)
    np.testing.assert_array_equal(data.depth[0][known], depth[known])
    np.testing.assert_array_equal(data.K, k)


def test_npz_keeps_several_frames(tmp_path):
    rgb = np.zeros((3, 2, 2, 3), dtype=np.uint8)
    depth = np.ones((3, 2, 2), dtype=np.float32) * np.arange(1, 4, dtype=np.float32)[:, None, None]
    path = tmp_path / "frames.npz"
    save_eval_npz(path, rgb, depth, np.eye(3))
    data = load_eval_npz(path)
    assert data.frames == 3
    np.testing.assert_array_equal(data.depth, depth)


@pytest.mark.parametrize("arrays, message", [
    ({"rgb": np.zeros((4, 5, 3), np.float32), "depth": np.ones((4, 5), np.float32), "K": np.eye(3)},
     "rgb must be uint8"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "depth": np.ones((4, 6), np.float32), "K": np.eye(3)},
     "does not match rgb"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "depth": np.ones((4, 5), np.uint16), "K": np.eye(3)},
     "floating point"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "depth": -np.ones((4, 5), np.float32), "K": np.eye(3)},
     ">= 0 metres"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "depth": np.ones((4, 5), np.float32), "K": np.eye(4)},
     "K must be a numeric"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "depth": np.ones((4, 5), np.float32), "K": np.zeros((3, 3))},
     "positive focal"),
    ({"rgb": np.zeros((4, 5, 3), np.uint8), "K": np.eye(3)}, r"missing depth \(found: rgb, K\)"),
])
def test_bad_npz_is_rejected_with_the_reason(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=message):
        load_eval_npz(path)


def test_files_that_are_not_npz_are_rejected(tmp_path):
    text_file = tmp_path / "notes.npz"
    text_file.write_text("not an archive")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_eval_npz(text_file)
    single_array = tmp_path / "depth.npy"
    np.save(single_array, np.ones((2, 2)))
    with pytest.raises(ValueError, match="single array"):
        load_eval_npz(single_array)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_eval_npz(tmp_path / "missing.npz")


def test_save_rejects_invalid_arrays_before_writing(tmp_path):
    path = tmp_path / "never.npz"
    with pytest.raises(ValueError, match="rgb must be uint8"):
        save_eval_npz(path, np.zeros((2, 2)), np.ones((2, 2), np.float32), np.eye(3))
    assert not path.exists()


def test_npz_round_trip_of_a_sequence_with_poses_stamps_and_moving_pixels(tmp_path):
    rgb = np.zeros((3, 2, 4, 3), dtype=np.uint8)
    depth = np.ones((3, 2, 4), dtype=np.float32)
    poses = np.stack([np.eye(4)] * 3)
    poses[:, 2, 3] = [0.0, 0.1, 0.2]
    moving = np.zeros((3, 2, 4), dtype=bool)
    moving[1, 0, 2] = True
    path = tmp_path / "sequence.npz"
    save_eval_npz(path, rgb, depth, np.eye(3), poses=poses, stamps=np.array([0.0, 0.1, 0.2]), moving=moving)
    data = load_eval_npz(path)
    np.testing.assert_array_equal(data.poses, poses)
    np.testing.assert_array_equal(data.stamps, [0.0, 0.1, 0.2])
    np.testing.assert_array_equal(data.moving, moving)
    assert data.sparse is None


@pytest.mark.parametrize("key, value, message", [
    ("poses", np.zeros((2, 4, 4)), "poses must be finite"),
    ("stamps", np.array([0.0, 0.2, 0.1]), "stamps must increase"),
    ("stamps", np.array([0.0, 0.1]), "stamps must be finite seconds"),
    ("moving", np.zeros((3, 2, 4), dtype=np.uint8), "moving must be bool"),
])
def test_npz_rejects_bad_sequence_arrays(tmp_path, key, value, message):
    rgb = np.zeros((3, 2, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=message):
        save_eval_npz(tmp_path / "bad.npz", rgb, np.ones((3, 2, 4), dtype=np.float32), np.eye(3), **{key: value})
