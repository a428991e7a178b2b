"""monodepth-video: metric depth for every frame of a video or an image folder, as the nodes make it.

  monodepth-video IN --out DIR [model options] [--lidar SPARSE.npz] [--no-temporal | --two-pass]
                  [--export-clouds DIR [--export-mesh]] [--sonify OUT.wav]

IN is a video file (stamps from its container) or a folder of images (stamps index / --folder-fps). Each frame
goes through core/runtime/depth_chain: the depth model, the online stabiliser (as depth_node), and with --lidar
the scale fusion and its stabiliser (as lidar_fusion_node). DIR gets:
  depth.mp4     the depth colour-mapped (turbo, near red; one range for the whole video) with a scale bar in metres
  depth.npz     depth float32 (N, H, W) metres (NaN = none), stamps float64 (N,) seconds
  summary.json  frames, fps_in, fps_out, model, device, kind, temporal, lidar, mean ms per stage
--lidar SPARSE.npz holds ``sparse`` float32 (N, H, W): LiDAR depth in metres projected into each frame (NaN = no
return), as the ``sparse`` array of evaluate's DATA.npz. --two-pass smooths offline (non-causal) instead: the
stabiliser forwards and backwards over the per-frame depth; it holds the whole video in memory.
--export-clouds DIR writes volumetric video: a coloured point cloud per frame (cloud_NNNNNN.ply) and, with
--export-mesh, a triangle mesh per frame without faces across depth edges (mesh_NNNNNN.ply), in metres in the
camera optical frame, with DIR/frames.json listing frames, stamps and files. --sonify OUT.wav writes the obstacle
sonification of the depth (as depth_sonification_node makes it) as a stereo WAV and as depth.mp4's sound track.
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from monodepth_ros.core.audio.sonification import SonificationConfig, sonify
from monodepth_ros.core.camera.calibration import calibration_from_fov, load_camera_calibration
from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.depth.estimator import DepthEstimator
from monodepth_ros.core.depth.types import DepthKind
from monodepth_ros.core.pointcloud.volumetric.export import VolumetricExporter
from monodepth_ros.core.pointcloud.volumetric.mesh import DEFAULT_EDGE_RATIO
from monodepth_ros.core.runtime.depth_chain import DepthChain, DepthChainConfig
from monodepth_ros.core.runtime.two_pass import smooth_two_pass
from monodepth_ros.core.sources.frame_source import FrameSource, open_frame_source
from monodepth_ros.core.sources.video_file import VideoFileWriter, VideoSourceError, write_wav
from monodepth_ros.core.viz.colorize import ROBUST_PERCENTILES, colorize_depth, with_scale_bar
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

PROGRAM = "monodepth-video"
DEFAULT_FOV_DEG = 60.0
COLOUR_SAMPLE_STRIDE = 4
"""The colour range is taken from every 4th pixel of every 4th row of every frame."""


class ToolError(Exception):
    """Ends the tool with a one-line message."""


def source_intrinsics(source: FrameSource, calibration: Path | None, fov_deg: float) -> Intrinsics:
    width, height = source.info.width, source.info.height
    if calibration is not None:
        return load_camera_calibration(calibration).intrinsics_for(width, height)
    logging.getLogger(PROGRAM).warning(f"no --calibration: intrinsics approximated from a {fov_deg:g} deg "
                                       "horizontal field of view")
    return calibration_from_fov(width, height, fov_deg).intrinsics_for(width, height)


def load_sparse(path: Path | None) -> np.ndarray | None:
    """float32 (N, H, W) metres from the ``sparse`` array of ``path``; None without a path."""
    if path is None:
        return None
    try:
        with np.load(path) as arrays:
            if "sparse" not in arrays:
                raise ToolError(f"{path.name} has no 'sparse' array (LiDAR depth float32 (N, H, W) metres)")
            sparse = np.asarray(arrays["sparse"], dtype=np.float32)
    except (OSError, ValueError) as error:
        raise ToolError(f"cannot read {path}: {error}") from None
    if sparse.ndim != 3:
        raise ToolError(f"'sparse' in {path.name} must be (N, H, W), got shape {sparse.shape}")
    return sparse


def open_file_source(arguments: argparse.Namespace) -> FrameSource:
    """The video file or image folder ``arguments.input``; ToolError for a webcam."""
    source = open_frame_source(str(arguments.input), folder_fps=arguments.folder_fps)
    if source.live:
        source.close()
        raise ToolError("IN must be a video file or an image folder, not a webcam")
    return source


@dataclass
class VideoPass:
    """Depth of (part of) a video through the chain: float32 (H, W) metres and stamps (s) per kept frame, the
    images (--two-pass and --export-clouds only), the ms of each stage, and what made them."""

    depths: list[np.ndarray]
    stamps: list[float]
    rgbs: list[np.ndarray]
    stage_ms: dict[str, list[float]]
    fps_in: float
    intrinsics: Intrinsics
    estimator: DepthEstimator
    online: bool
    sparse: np.ndarray | None


def process_video(arguments: argparse.Namespace, frames_range: tuple[int, int, int | None] = (0, 0, None)
                  ) -> VideoPass:
    """IN (or the part ``frames_range`` of process_frames) through the depth chain that arguments select."""
    source = open_file_source(arguments)
    try:
        intrinsics = source_intrinsics(source, arguments.calibration, arguments.fov_deg)
        sparse = load_sparse(arguments.lidar)
        if sparse is not None and sparse.shape[1:] != (source.info.height, source.info.width):
            raise ToolError(f"--lidar depth is {sparse.shape[2]}x{sparse.shape[1]}, the frames are "
                            f"{source.info.width}x{source.info.height}")
        estimator = DepthEstimator(model_spec_from_arguments(arguments))
        if estimator.kind is not DepthKind.METRIC and sparse is None:
            raise ToolError(f"{estimator.description} predicts relative inverse depth: give --lidar for metres")
        online = not (arguments.no_temporal or arguments.two_pass)
        chain = DepthChain(estimator, DepthChainConfig(temporal_consistency=online))
        parts = process_frames(source, chain, intrinsics, sparse, arguments, frames_range)
    finally:
        source.close()
    return VideoPass(*parts, source.info.fps, intrinsics, estimator, online, sparse)


def run(arguments: argparse.Namespace) -> dict:
    """Process IN into DIR; returns the summary (also written to DIR/summary.json)."""
    started = time.perf_counter()
    check_export_arguments(arguments)
    video = process_video(arguments)
    depths, stamps, rgbs, stage_ms = video.depths, video.stamps, video.rgbs, video.stage_ms
    estimator, online, sparse, intrinsics = video.estimator, video.online, video.sparse, video.intrinsics
    if not depths:
        raise ToolError(f"{arguments.input} has no frames")
    if sparse is not None and len(sparse) < len(depths):
        raise ToolError(f"--lidar has {len(sparse)} frames, IN has {len(depths)}")
    depth = np.stack(depths)
    stamps_s = np.asarray(stamps, dtype=np.float64)
    if arguments.two_pass:
        start = time.perf_counter()
        depth = smooth_two_pass(rgbs, depth, intrinsics, stamps_s)
        stage_ms["two_pass"] = [(time.perf_counter() - start) * 1e3 / len(depth)]
    summary = {"input": str(arguments.input), "model": estimator.description, "device": estimator.device,
               "kind": estimator.kind.value,
               "temporal": "two_pass" if arguments.two_pass else "online" if online else "off",
               "lidar": str(arguments.lidar) if sparse is not None else None,
               "export_clouds": str(arguments.export_clouds) if arguments.export_clouds is not None else None,
               "sonify": str(arguments.sonify) if arguments.sonify is not None else None}
    arguments.out.mkdir(parents=True, exist_ok=True)
    if arguments.export_clouds is not None:
        start = time.perf_counter()
        export_volumetric(arguments, rgbs, depth, stamps_s - stamps_s[0], intrinsics)
        stage_ms["export"] = [(time.perf_counter() - start) * 1e3 / len(depth)]
    if arguments.sonify is not None:
        start = time.perf_counter()
        samples = sonify(depth, intrinsics, stamps_s - stamps_s[0], SonificationConfig())
        write_wav(arguments.sonify, samples, SonificationConfig().sample_rate_hz)
        stage_ms["sonify"] = [(time.perf_counter() - start) * 1e3 / len(depth)]
    return write_outputs(arguments.out, depth, stamps_s, video.fps_in, stage_ms, started, summary, arguments.sonify)


def write_outputs(out: Path, depth: np.ndarray, stamps_s: np.ndarray, fps_in: float,
                  stage_ms: dict[str, list[float]], started: float, summary: dict, audio: Path | None = None) -> dict:
    """depth.mp4 (with the sound of ``audio`` when given), depth.npz and summary.json of ``depth`` float32
    (N, H, W) metres and ``stamps_s`` (N,) into ``out``; ``summary`` (input, model, ...) gets frames, size, fps_in,
    fps_out (since ``started``, a perf_counter time) and the mean ms of each stage. Returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_depth_video(out / "depth.mp4", depth, stamps_s, fps_in, audio)
    stage_ms["encode"] = [(time.perf_counter() - start) * 1e3 / len(depth)]
    with open(out / "depth.npz", "wb") as stream:
        np.savez_compressed(stream, depth=depth, stamps=stamps_s)
    summary = {**summary, "frames": int(len(depth)), "width": int(depth.shape[2]), "height": int(depth.shape[1]),
               "fps_in": fps_in, "fps_out": len(depth) / (time.perf_counter() - started),
               "ms_per_stage": {stage: float(np.mean(values)) for stage, values in stage_ms.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def process_frames(source: FrameSource, chain: DepthChain, intrinsics: Intrinsics, sparse: np.ndarray | None,
                   arguments: argparse.Namespace, frames_range: tuple[int, int, int | None] = (0, 0, None)):
    """Depth in metres (N of float32 (H, W)), stamps (s), the images (kept for --two-pass and --export-clouds
    only) and the wall time of each stage (ms lists).

    ``frames_range`` (warm_up, first, stop) for a part of the video: frames before ``warm_up`` are only decoded,
    frames from ``warm_up`` to ``first`` go through the chain (warming its stabiliser up) but are not returned,
    and decoding ends at frame ``stop`` (None: the end)."""
    warm_up, first, stop = frames_range
    depths, stamps, rgbs = [], [], []
    stage_ms: dict[str, list[float]] = {"decode": []}
    frames = iter(source.frames())
    total = (stop if stop is not None else source.info.frame_count or None)
    with tqdm(total=total, unit="frame", desc=PROGRAM, disable=arguments.quiet, file=sys.stderr) as progress:
        for index in itertools.count():
            if stop is not None and index >= stop:
                break
            start = time.perf_counter()
            try:
                rgb, stamp_s = next(frames)
            except StopIteration:
                break
            progress.update(1)
            if index < warm_up:
                continue
            stage_ms["decode"].append((time.perf_counter() - start) * 1e3)
            if sparse is not None and index >= len(sparse):
                raise ToolError(f"--lidar has {len(sparse)} frames, IN has more")
            output = chain.process(rgb, intrinsics, stamp_s, None if sparse is None else sparse[index])
            if index < first:
                continue
            depths.append(output.depth if output.fused is None else output.fused.stream.depth)
            stamps.append(stamp_s)
            if arguments.two_pass or arguments.export_clouds is not None:
                rgbs.append(rgb)
            for stage, ms in output.timings_ms.items():
                stage_ms.setdefault(stage, []).append(ms)
    return depths, stamps, rgbs, stage_ms


def check_export_arguments(arguments: argparse.Namespace) -> None:
    if arguments.export_mesh and arguments.export_clouds is None:
        raise ToolError("--export-mesh needs --export-clouds DIR (the folder for the meshes)")
    if arguments.sonify is not None and arguments.sonify.suffix.lower() != ".wav":
        raise ToolError(f"--sonify writes a .wav file, got {arguments.sonify.name}")
    if arguments.export_decimation < 1 or not arguments.mesh_edge_ratio > 0.0:
        raise ToolError("--export-decimation must be >= 1 and --mesh-edge-ratio positive")


def export_volumetric(arguments: argparse.Namespace, rgbs: list[np.ndarray], depth: np.ndarray,
                      stamps_s: np.ndarray, intrinsics: Intrinsics) -> None:
    """Per-frame clouds (and meshes) of ``depth`` (N, H, W) metres with the colours of ``rgbs`` into
    --export-clouds, stamps from the first frame."""
    with VolumetricExporter(arguments.export_clouds, clouds=True, meshes=arguments.export_mesh,
                            decimation=arguments.export_decimation, edge_ratio=arguments.mesh_edge_ratio) as exporter:
        for rgb, frame, stamp in zip(rgbs, depth, stamps_s):
            exporter.add(rgb, frame, intrinsics, stamp)


def write_depth_video(path: Path, depth: np.ndarray, stamps_s: np.ndarray, fps: float,
                      audio: Path | None = None) -> None:
    """Turbo-coloured depth (one range for all frames, so colours do not flicker) with a scale bar in metres, with
    the sound of ``audio`` (a file starting with the first frame) when given."""
    sample = depth[:, ::COLOUR_SAMPLE_STRIDE, ::COLOUR_SAMPLE_STRIDE]
    finite = sample[np.isfinite(sample)]
    if finite.size == 0:
        raise ToolError("no frame has any valid depth: nothing to colour")
    low, high = (float(value) for value in np.percentile(finite, ROBUST_PERCENTILES))
    high = max(high, low + 0.01)
    if not fps > 0.0:
        fps = 1.0 / float(np.median(np.diff(stamps_s))) if len(stamps_s) > 1 else 10.0
    first = with_scale_bar(colorize_depth(depth[0], low, high)[0], low, high)
    with VideoFileWriter(path, fps, first.shape[1], first.shape[0], audio_from=audio) as writer:
        for frame, stamp in zip(depth, stamps_s):
            writer.write(with_scale_bar(colorize_depth(frame, low, high)[0], low, high), stamp - stamps_s[0])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("input", type=Path, metavar="IN", help="video file (mp4, mkv, avi, ...) or image folder")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the three outputs")
    add_model_arguments(parser)
    parser.add_argument("--lidar", type=Path, metavar="SPARSE.npz",
                        help="LiDAR depth per frame ('sparse' float32 (N, H, W) m): fuse as lidar_fusion_node")
    smoothing = parser.add_mutually_exclusive_group()
    smoothing.add_argument("--no-temporal", action="store_true", help="every frame on its own (no stabiliser)")
    smoothing.add_argument("--two-pass", action="store_true",
                           help="non-causal offline smoothing (stabiliser forwards and backwards) instead of the "
                                "online stabiliser")
    parser.add_argument("--calibration", type=Path, metavar="YAML",
                        help="camera_info_manager calibration of the camera (default: from --fov-deg)")
    parser.add_argument("--fov-deg", type=float, default=DEFAULT_FOV_DEG,
                        help=f"horizontal field of view without --calibration (default: {DEFAULT_FOV_DEG:g})")
    parser.add_argument("--folder-fps", type=float, default=10.0, help="frame rate of an image folder (default: 10)")
    parser.add_argument("--export-clouds", type=Path, metavar="DIR", help="volumetric video: a coloured point "
                        "cloud per frame (PLY, metres, camera optical frame) and DIR/frames.json")
    parser.add_argument("--export-mesh", action="store_true", help="with --export-clouds: also a triangle mesh per "
                        "frame (PLY), without faces across depth edges")
    parser.add_argument("--export-decimation", type=int, default=1, metavar="N",
                        help="export every N-th pixel in both directions (default: 1)")
    parser.add_argument("--mesh-edge-ratio", type=float, default=DEFAULT_EDGE_RATIO, metavar="R",
                        help="a mesh face is dropped when its depth span exceeds R times its nearest depth "
                             f"(default: {DEFAULT_EDGE_RATIO:g})")
    parser.add_argument("--sonify", type=Path, metavar="OUT.wav", help="obstacle sonification of the depth as a "
                        "stereo WAV, also muxed into depth.mp4")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        summary = run(arguments)
    except (ToolError, VideoSourceError, ValueError, FileNotFoundError, RuntimeError, ImportError, OSError) as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
