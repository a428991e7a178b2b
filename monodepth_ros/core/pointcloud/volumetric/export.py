"""Volumetric video export: per-frame coloured point clouds and meshes (PLY) and frames.json listing them.

frames.json: {"units": "metres", "frame": "camera optical frame (x right, y down, z forward)", "intrinsics":
{fx, fy, cx, cy, width, height} of the first frame, "frames": [{"index", "stamp_s", "cloud", "points", "mesh",
"faces"}, ...]} with file names relative to the folder (mesh / faces only with meshes).
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.pointcloud.unprojection import DepthToPoints
from monodepth_ros.core.pointcloud.volumetric.mesh import DEFAULT_EDGE_RATIO, depth_mesh
from monodepth_ros.core.pointcloud.volumetric.ply import write_ply

INDEX_FILE = "frames.json"


class VolumetricExporter:
    """Writes one cloud (``cloud_NNNNNN.ply``) and, with ``meshes``, one mesh (``mesh_NNNNNN.ply``) per frame
    into ``folder``; ``close`` writes frames.json."""

    def __init__(self, folder: str | Path, clouds: bool = True, meshes: bool = False, decimation: int = 1,
                 edge_ratio: float = DEFAULT_EDGE_RATIO) -> None:
        if not (clouds or meshes):
            raise ValueError("export clouds, meshes or both")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.clouds, self.meshes = clouds, meshes
        self.decimation, self.edge_ratio = int(decimation), float(edge_ratio)
        self._unprojector = DepthToPoints()
        self._frames: list[dict] = []
        self._intrinsics: Intrinsics | None = None

    def add(self, rgb: np.ndarray, depth_m: np.ndarray, intrinsics: Intrinsics, stamp_s: float) -> dict:
        """Export one frame: ``rgb`` uint8 (H, W, 3) (any resolution of the view), ``depth_m`` float (H, W) metres
        along the optical axis described by ``intrinsics``; returns its frames.json entry."""
        index = len(self._frames)
        entry: dict = {"index": index, "stamp_s": round(float(stamp_s), 6)}
        if self._intrinsics is None:
            self._intrinsics = intrinsics
        if self.meshes:
            mesh = depth_mesh(depth_m, intrinsics, self.decimation, self.edge_ratio, self._unprojector)
            colours = mesh.points.colours_from(rgb)
            entry["mesh"], entry["faces"] = f"mesh_{index:06d}.ply", len(mesh.faces)
            write_ply(self.folder / entry["mesh"], mesh.xyz, colours, mesh.faces)
            points = mesh.points
        else:
            points = self._unprojector.convert(depth_m, intrinsics, self.decimation)
            colours = points.colours_from(rgb)
        if self.clouds:
            entry["cloud"], entry["points"] = f"cloud_{index:06d}.ply", len(points.xyz)
            write_ply(self.folder / entry["cloud"], points.xyz, colours)
        self._frames.append(entry)
        return entry

    def close(self) -> Path:
        """Write frames.json; returns its path."""
        path = self.folder / INDEX_FILE
        intrinsics = dataclasses.asdict(self._intrinsics) if self._intrinsics is not None else None
        path.write_text(json.dumps({"units": "metres", "frame": "camera optical frame (x right, y down, z forward)",
                                    "intrinsics": intrinsics, "frames": self._frames}, indent=1) + "\n")
        return path

    def __enter__(self) -> VolumetricExporter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
