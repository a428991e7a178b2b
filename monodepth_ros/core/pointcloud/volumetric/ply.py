"""Binary PLY (little endian) for coloured point clouds and triangle meshes, with numpy alone.

PLY is what Blender, MeshLab, CloudCompare, Open3D and trimesh all read; the binary layout is a short text header
and one structured array per element, so writing it needs no mesh library (trimesh would add a dependency for
this one call, Open3D over a gigabyte). Vertices: float32 x, y, z (metres) and uchar red, green, blue; faces:
uchar count 3 and int32 vertex indices.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

VERTEX = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("red", "u1"), ("green", "u1"), ("blue", "u1")])
FACE = np.dtype([("count", "u1"), ("indices", "<i4", (3,))])


def _header(vertices: int, faces: int | None) -> bytes:
    lines = ["ply", "format binary_little_endian 1.0", "comment monodepth_ros: metres, camera optical frame "
             "(x right, y down, z forward)", f"element vertex {vertices}", "property float x", "property float y",
             "property float z", "property uchar red", "property uchar green", "property uchar blue"]
    if faces is not None:
        lines += [f"element face {faces}", "property list uchar int vertex_indices"]
    return ("\n".join(lines + ["end_header"]) + "\n").encode("ascii")


def write_ply(path: str | Path, xyz: np.ndarray, rgb: np.ndarray, faces: np.ndarray | None = None) -> None:
    """Write points ``xyz`` float (N, 3) metres with colours ``rgb`` uint8 (N, 3), and triangles ``faces`` int
    (F, 3) of vertex indices when given (a mesh), as binary PLY."""
    xyz = np.asarray(xyz, np.float32).reshape(-1, 3)
    rgb = np.asarray(rgb, np.uint8).reshape(-1, 3)
    if len(rgb) != len(xyz):
        raise ValueError(f"{len(xyz)} points but {len(rgb)} colours")
    vertices = np.empty(len(xyz), VERTEX)
    for axis, name in enumerate("xyz"):
        vertices[name] = xyz[:, axis]
    for channel, name in enumerate(("red", "green", "blue")):
        vertices[name] = rgb[:, channel]
    with open(path, "wb") as file:
        file.write(_header(len(xyz), None if faces is None else len(faces)))
        file.write(vertices.tobytes())
        if faces is not None:
            records = np.empty(len(faces), FACE)
            records["count"] = 3
            records["indices"] = np.asarray(faces, np.int32).reshape(-1, 3)
            file.write(records.tobytes())


def read_ply(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(xyz float32 (N, 3), rgb uint8 (N, 3), faces int32 (F, 3) or None) of a PLY written by ``write_ply``;
    ValueError for other layouts."""
    data = Path(path).read_bytes()
    end = data.find(b"end_header\n")
    if not data.startswith(b"ply\n") or end < 0:
        raise ValueError(f"{path} is not a PLY file")
    header = data[:end].decode("ascii").splitlines()
    counts = {line.split()[1]: int(line.split()[2]) for line in header if line.startswith("element ")}
    faces_count = counts.get("face")
    if header[1] != "format binary_little_endian 1.0" or _header(counts.get("vertex", 0), faces_count) != \
            data[:end + len(b"end_header\n")]:
        raise ValueError(f"{path} is not a PLY file of this layout (binary xyz + rgb, triangles)")
    offset = end + len(b"end_header\n")
    vertices = np.frombuffer(data, VERTEX, counts["vertex"], offset)
    xyz = np.stack([vertices[name] for name in "xyz"], axis=1)
    rgb = np.stack([vertices[name] for name in ("red", "green", "blue")], axis=1)
    if faces_count is None:
        return xyz, rgb, None
    records = np.frombuffer(data, FACE, faces_count, offset + vertices.nbytes)
    return xyz, rgb, records["indices"].copy()
