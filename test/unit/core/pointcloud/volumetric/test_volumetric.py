"""Volumetric export: point counts, metric coordinates against the intrinsics, no mesh face across a depth edge,
PLY files that read back, and a frame list with stamps."""
from __future__ import annotations

import json

import numpy as np
import pytest

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.pointcloud.volumetric.export import VolumetricExporter
from monodepth_ros.core.pointcloud.volumetric.mesh import depth_mesh
from monodepth_ros.core.pointcloud.volumetric.ply import read_ply, write_ply

WIDTH, HEIGHT = 40, 30
INTRINSICS = Intrinsics(50.0, 40.0, 19.5, 14.5, WIDTH, HEIGHT)


def box_on_a_wall() -> tuple[np.ndarray, np.ndarray]:
    """(rgb, depth): a wall at 3 m with a box at 1 m on rows 10..19, columns 10..24, and 5 pixels without depth."""
    depth = np.full((HEIGHT, WIDTH), 3.0, np.float32)
    depth[10:20, 10:25] = 1.0
    depth[0, :5] = np.nan
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[..., 0] = np.arange(WIDTH, dtype=np.uint8)[None, :] * 5
    rgb[..., 1] = np.arange(HEIGHT, dtype=np.uint8)[:, None] * 5
    return rgb, depth


def test_mesh_vertices_are_metric_and_no_face_spans_the_depth_edge():
    _, depth = box_on_a_wall()
    mesh = depth_mesh(depth, INTRINSICS)
    assert len(mesh.xyz) == WIDTH * HEIGHT - 5
    rows, columns = np.nonzero(np.isfinite(depth))
    z = depth[rows, columns]
    np.testing.assert_allclose(mesh.xyz, np.stack([(columns - 19.5) / 50.0 * z, (rows - 14.5) / 40.0 * z, z], 1),
                               rtol=1e-6)
    corner_depths = mesh.xyz[mesh.faces, 2]  # (F, 3)
    assert np.all(corner_depths.max(axis=1) - corner_depths.min(axis=1) < 1e-6), "every face is on one surface"
    box_faces = 2 * (10 - 1) * (15 - 1)
    assert (corner_depths[:, 0] == 1.0).sum() == box_faces
    # wall: two faces per 2x2 block of wall pixels, plus one per block with just one corner off the wall
    wall = np.ones((HEIGHT, WIDTH), bool)
    wall[10:20, 10:25] = False
    wall[0, :5] = False
    wall_blocks = wall[:-1, :-1] & wall[1:, :-1] & wall[:-1, 1:] & wall[1:, 1:]
    corners_on_wall = wall[:-1, :-1].astype(int) + wall[1:, :-1] + wall[:-1, 1:] + wall[1:, 1:]
    assert 2 * wall_blocks.sum() <= (corner_depths[:, 0] == 3.0).sum() <= 2 * wall_blocks.sum() + (
        corners_on_wall == 3).sum()


def test_faces_wind_one_way_facing_the_camera():
    depth = np.full((HEIGHT, WIDTH), 2.0, np.float32)
    depth[:, 20:] = np.linspace(2.0, 2.05, WIDTH - 20)[None, :]  # bent: both diagonal splits occur
    mesh = depth_mesh(depth, INTRINSICS)
    a, b, c = (mesh.xyz[mesh.faces[:, corner]] for corner in range(3))
    normals = np.cross(b - a, c - a)
    assert len(mesh.faces) == 2 * (HEIGHT - 1) * (WIDTH - 1)
    assert np.all(normals[:, 2] < 0.0), "normals point back towards the camera (counter-clockwise seen from it)"


def test_ply_round_trip_of_a_cloud_and_a_mesh(tmp_path):
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(50, 3)).astype(np.float32)
    rgb = rng.integers(0, 256, (50, 3)).astype(np.uint8)
    faces = rng.integers(0, 50, (20, 3)).astype(np.int32)
    write_ply(tmp_path / "cloud.ply", xyz, rgb)
    write_ply(tmp_path / "mesh.ply", xyz, rgb, faces)
    for name, expected_faces in (("cloud.ply", None), ("mesh.ply", faces)):
        back_xyz, back_rgb, back_faces = read_ply(tmp_path / name)
        np.testing.assert_array_equal(back_xyz, xyz)
        np.testing.assert_array_equal(back_rgb, rgb)
        if expected_faces is None:
            assert back_faces is None
        else:
            np.testing.assert_array_equal(back_faces, expected_faces)
    header = (tmp_path / "mesh.ply").read_bytes().split(b"end_header\n")[0].decode()
    assert "element vertex 50" in header and "element face 20" in header and "binary_little_endian" in header
    assert (tmp_path / "mesh.ply").stat().st_size == len(header) + 11 + 50 * 15 + 20 * 13
    with pytest.raises(ValueError, match="50 points but 3 colours"):
        write_ply(tmp_path / "bad.ply", xyz, rgb[:3])


def test_the_exporter_writes_clouds_meshes_and_the_frame_list(tmp_path):
    rgb, depth = box_on_a_wall()
    with VolumetricExporter(tmp_path / "out", clouds=True, meshes=True, decimation=2) as exporter:
        for stamp in (0.0, 1 / 30, 2 / 30):
            exporter.add(rgb, depth, INTRINSICS, stamp)
    index = json.loads((tmp_path / "out" / "frames.json").read_text())
    assert index["units"] == "metres" and index["intrinsics"]["fx"] == 50.0
    assert [frame["stamp_s"] for frame in index["frames"]] == [0.0, 0.033333, 0.066667]
    first = index["frames"][0]
    xyz, colours, faces = read_ply(tmp_path / "out" / first["cloud"])
    assert faces is None and len(xyz) == first["points"] == 20 * 15 - 3, "every 2nd pixel, 3 without depth"
    # the point of pixel (u=10, v=10) is on the box: 1 m, colour (50, 50, 0)
    at = np.nonzero((np.abs(xyz[:, 0] - (10 - 19.5) / 50.0) < 1e-6) & (np.abs(xyz[:, 1] - (10 - 14.5) / 40.0) < 1e-6))
    assert xyz[at][0, 2] == 1.0 and colours[at][0].tolist() == [50, 50, 0]
    mesh_xyz, _, mesh_faces = read_ply(tmp_path / "out" / first["mesh"])
    assert len(mesh_faces) == first["faces"] > 0 and len(mesh_xyz) == len(xyz)
    with pytest.raises(ValueError, match="clouds, meshes or both"):
        VolumetricExporter(tmp_path / "none", clouds=False, meshes=False)
