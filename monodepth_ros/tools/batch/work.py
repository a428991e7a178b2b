"""The units of work of monodepth-batch, without Ray: what each input becomes (a bag, or a video in chunks), and
each unit run with monodepth-bag's and monodepth-video's library functions into an atomically renamed output.

A unit writes under a temporary name ``.NAME.partial-PID`` next to its output and renames it when it is complete,
so an output that exists is finished: a rerun skips it and redoes only what is missing."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.core.sources.bag_file import BagReader
from monodepth_ros.core.sources.frame_source import open_frame_source
from monodepth_ros.tools import video as video_tool

BAG_SUFFIXES = (".mcap", ".db3")
KINDS = ("auto", "bag", "video")


@dataclass(frozen=True)
class Unit:
    """One Ray task: a whole bag, or frames [first, stop) of a video decoded from frame ``warm_up`` on (the
    frames from warm_up to first only warm the stabiliser up)."""

    input: Path
    kind: str
    output: Path
    frames_range: tuple[int, int, int | None] = (0, 0, None)


@dataclass
class Job:
    """One input file: its units, and for a video the final folder the chunks are merged into."""

    input: Path
    kind: str
    output: Path
    units: list[Unit] = field(default_factory=list)
    frame_count: int | None = None


def input_kind(path: Path, kind: str = "auto") -> str:
    """'bag' or 'video': a rosbag2 folder (metadata.yaml) or .mcap / .db3 file is a bag, anything else a video
    file or image folder."""
    if kind != "auto":
        return kind
    if path.suffix in BAG_SUFFIXES or (path.is_dir() and (path / "metadata.yaml").is_file()):
        return "bag"
    return "video"


def video_frame_count(path: Path, folder_fps: float = 10.0) -> int | None:
    """Frames of a video file or image folder as its container states them (None when unknown)."""
    source = open_frame_source(str(path), folder_fps=folder_fps)
    try:
        return source.info.frame_count or None
    finally:
        source.close()


def plan_jobs(inputs: list[Path], out: Path, kind: str = "auto", chunk_frames: int = 0,
              overlap_frames: int = 8) -> list[Job]:
    """A job per input (outputs ``out/STEM`` for a video, ``out/STEM.bag`` for a bag); a video of more than
    ``chunk_frames`` frames (0: never) is split into chunks of that many, each warmed up on the
    ``overlap_frames`` before it. Raises ValueError for two inputs with one output name."""
    jobs, names = [], {}
    for path in inputs:
        job_kind = input_kind(path, kind)
        name = path.stem if path.suffix else path.name
        output = out / (f"{name}.bag" if job_kind == "bag" else name)
        if output in names:
            raise ValueError(f"{path} and {names[output]} would both write {output}: rename one")
        names[output] = path
        job = Job(path, job_kind, output)
        if job_kind == "bag":
            job.units.append(Unit(path, "bag", output))
        else:
            job.frame_count = count = _frame_count_or_none(path)
            chunks = out / f".{output.name}.chunks"
            if chunk_frames <= 0 or count is None or count <= chunk_frames:
                job.units.append(Unit(path, "video", chunks / "all.npz", (0, 0, None)))
            else:
                for first in range(0, count, chunk_frames):
                    stop = min(first + chunk_frames, count)
                    job.units.append(Unit(path, "video", chunks / f"{first:08d}-{stop:08d}.npz",
                                          (max(0, first - overlap_frames), first, stop)))
        jobs.append(job)
    return jobs


def _frame_count_or_none(path: Path) -> int | None:
    try:
        return video_frame_count(path)
    except (ValueError, OSError):
        return None  # unreadable: its task reports why


def partial_path(final: Path) -> Path:
    """The temporary name a unit writes ``final`` under: hidden, beside it, with the writer's process id."""
    return final.parent / f".{final.name}.partial-{os.getpid()}"


def claim(final: Path) -> Path:
    """The partial path of ``final`` for this process, after removing what an earlier, ended writer left;
    a video chunk's partial file exists (empty) from here on, so a running unit is visible."""
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.partial-*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    partial = partial_path(final)
    if final.suffix == ".npz":
        partial.touch()
    return partial


def publish(partial: Path, final: Path) -> None:
    """Rename the finished ``partial`` to ``final`` (one rename: readers see all of it or none)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)


def video_arguments(path: Path, out: Path, spec_options: dict) -> argparse.Namespace:
    """monodepth-video's options for ``path`` with the model options ``spec_options`` (ModelSpec field ->
    value) and the online stabiliser."""
    arguments = video_tool.build_parser().parse_args([str(path), "--out", str(out), "--quiet"])
    vars(arguments).update(spec_options)
    return arguments


def run_unit(unit: Unit, spec_options: dict) -> dict:
    """Run one unit into its output; returns frames, seconds and (videos) the model. Raises the tools' errors."""
    started = time.perf_counter()
    partial = claim(unit.output)
    if unit.kind == "bag":
        from monodepth_ros.tools.bag.process import process_bag
        from monodepth_ros.tools.model_arguments import model_spec_from_arguments

        run = process_bag(unit.input, partial, model_spec_from_arguments(argparse.Namespace(**spec_options)))
        if run.processed == 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise ValueError(f"none of the {run.frames} images could be processed: {dict(run.skipped)}")
        publish(partial, unit.output)
        return {"frames": run.processed, "seconds": time.perf_counter() - started}
    video = video_tool.process_video(video_arguments(unit.input, unit.output, spec_options), unit.frames_range)
    if not video.depths:
        raise video_tool.ToolError(f"{unit.input} has no frames")
    meta = {"fps_in": video.fps_in, "model": video.estimator.description, "device": video.estimator.device,
            "kind": video.estimator.kind.value,
            "ms_per_stage": {stage: float(np.mean(values)) for stage, values in video.stage_ms.items()}}
    with open(partial, "wb") as stream:
        np.savez(stream, depth=np.stack(video.depths), stamps=np.asarray(video.stamps, np.float64),
                 meta=json.dumps(meta))
    publish(partial, unit.output)
    return {"frames": len(video.depths), "seconds": time.perf_counter() - started}


def merge_video(job: Job) -> dict:
    """The chunks of a video job into monodepth-video's outputs (depth.mp4, depth.npz, summary.json) in
    ``job.output``, written under a temporary name; the chunks are removed afterwards. Returns the summary."""
    started = time.perf_counter()
    depths, stamps, ms_per_stage = [], [], {}
    for unit in job.units:
        with np.load(unit.output) as chunk:
            depths.append(chunk["depth"])
            stamps.append(chunk["stamps"])
            meta = json.loads(str(chunk["meta"]))
        for stage, ms in meta["ms_per_stage"].items():
            ms_per_stage.setdefault(stage, []).append(ms)
    partial = partial_path(job.output)
    shutil.rmtree(partial, ignore_errors=True)
    summary = {"input": str(job.input), "model": meta["model"], "device": meta["device"], "kind": meta["kind"],
               "temporal": "online", "lidar": None, "chunks": len(job.units)}
    summary = video_tool.write_outputs(partial, np.concatenate(depths), np.concatenate(stamps), meta["fps_in"],
                                       ms_per_stage, started, summary)
    publish(partial, job.output)
    shutil.rmtree(job.units[0].output.parent, ignore_errors=True)
    return summary


def bag_frame_count(path: Path) -> int | None:
    """Images in a finished output bag (for a rerun's summary); None when unreadable."""
    try:
        with BagReader(path) as reader:
            fused = [topic for topic in reader.topics if topic.endswith("/depth/fused")]
            return reader.message_count(fused) if fused else None
    except Exception:  # noqa: BLE001 - only a figure of the summary
        return None


def finished_frames(job: Job) -> int | None:
    """Frames of a job whose output exists already."""
    if job.kind == "bag":
        return bag_frame_count(job.output)
    try:
        return json.loads((job.output / "summary.json").read_text())["frames"]
    except (OSError, ValueError, KeyError):
        return None


def model_options(arguments: argparse.Namespace) -> dict:
    """The ModelSpec fields of parsed model options (picklable, for the tasks)."""
    return {spec_field.name: getattr(arguments, spec_field.name) for spec_field in fields(ModelSpec)}
