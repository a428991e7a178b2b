"""Inputs of monodepth-effects: depth files of every kind, camera intrinsics from YAML or a field of view."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from monodepth_ros.tools.effect_inputs import (InputError, intrinsics_from_camera_info_yaml, intrinsics_from_fov,
                                               load_depth)


def test_depth_files_load_as_metres_with_stamps(tmp_path):
    depth = np.repeat(np.array([1.0, 2.0, 3.0], np.float32)[:, None, None], 4, axis=1).repeat(5, axis=2)
    depth[0, 0, 0] = 0.0
    np.savez(tmp_path / "depth.npz", depth=depth, stamps=np.array([0.0, 0.04, 0.08]))
    loaded = load_depth(tmp_path / "depth.npz")
    assert loaded.depth.shape == (3, 4, 5) and loaded.size == (5, 4) and np.isnan(loaded.depth[0, 0, 0])
    assert loaded.for_frame(7, 0.041, 0.04)[0, 0] == 2.0, "matched by stamp, not index"
    with pytest.raises(InputError, match="no depth for the frame at 0.500 s"):
        loaded.for_frame(0, 0.5, 0.04)
    np.save(tmp_path / "one.npy", depth[1])
    single = load_depth(tmp_path / "one.npy")
    assert single.for_frame(99, 3.0, 0.04)[0, 0] == 2.0, "one depth map serves every frame"
    cv2.imwrite(str(tmp_path / "mm.png"), np.array([[0, 1500], [2500, 65535]], np.uint16))
    millimetres = load_depth(tmp_path / "mm.png").depth[0]
    assert np.isnan(millimetres[0, 0]) and millimetres[0, 1] == pytest.approx(1.5)
    np.savez(tmp_path / "indexed.npz", depth=depth)
    with pytest.raises(InputError, match="has 3 depth frames; the video has more"):
        load_depth(tmp_path / "indexed.npz").for_frame(3, 0.12, 0.04)


@pytest.mark.parametrize("content, message", [
    (lambda path: cv2.imwrite(str(path.with_suffix(".png")), np.zeros((4, 4), np.uint8)), "not a 16-bit"),
    (lambda path: np.savez(path.with_suffix(".npz"), a=np.ones(3), b=np.ones(3)), "no array named depth"),
    (lambda path: np.save(path.with_suffix(".npy"), np.ones((2, 2), np.int32)), "must hold float depth"),
    (lambda path: path.with_suffix(".npy").write_bytes(b"garbage"), "cannot read depth file"),
    (lambda path: path.with_suffix(".tiff").write_bytes(b"x"), "unknown depth file type"),
])
def test_unusable_depth_files_are_explained(tmp_path, content, message):
    content(tmp_path / "depth")
    path = next(tmp_path.iterdir())
    with pytest.raises(InputError, match=message):
        load_depth(path)


def test_intrinsics_from_camera_info_yaml_are_scaled_and_the_fov_default(tmp_path):
    yaml_path = tmp_path / "camera.yaml"
    yaml_path.write_text("image_width: 1280\nimage_height: 960\ncamera_matrix:\n  rows: 3\n  cols: 3\n"
                         "  data: [1000.0, 0.0, 639.5, 0.0, 1000.0, 479.5, 0.0, 0.0, 1.0]\n")
    intrinsics = intrinsics_from_camera_info_yaml(yaml_path, 640, 480)
    assert (intrinsics.fx, intrinsics.fy) == (500.0, 500.0)
    assert (intrinsics.cx, intrinsics.cy) == pytest.approx((319.5, 239.5))
    yaml_path.write_text("image_width: 640\n")
    with pytest.raises(InputError, match="image_width and image_height"):
        intrinsics_from_camera_info_yaml(yaml_path, 640, 480)
    assert intrinsics_from_fov(640, 480, 90.0).fx == pytest.approx(320.0)
    with pytest.raises(InputError, match="hfov-deg"):
        intrinsics_from_fov(640, 480, 0.0)
