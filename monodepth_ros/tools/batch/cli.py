"""monodepth-batch: monodepth-bag and monodepth-video over many files, one Ray task per file (or video chunk).

    monodepth-batch INPUT... --out DIR [--kind auto|bag|video] [--address auto|local|ray://HOST:PORT]
                    [--gpus-per-task G] [--cpus-per-task C] [--chunk-frames N --overlap-frames K] [model options]

A bag (rosbag2 folder, .mcap or .db3) becomes DIR/NAME.bag as monodepth-bag writes it; a video file or image
folder becomes DIR/NAME/ (depth.mp4, depth.npz, summary.json) as monodepth-video writes it, with the online
stabiliser. A video longer than --chunk-frames is split into chunks, each decoded from --overlap-frames before
its first frame so that the stabiliser is warmed up. Outputs appear under their final name only when complete: a
rerun skips finished outputs and chunks. A failing task is retried --retries times, then reported in the summary
while the others go on. Without --address (or with local) Ray starts on this machine; auto joins the cluster
this machine belongs to; ray://HOST:PORT connects to a cluster's head node (Ray Client).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from monodepth_ros.tools.batch.work import KINDS, Job, finished_frames, merge_video, model_options, plan_jobs, run_unit
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

PROGRAM = "monodepth-batch"
INSTALL_HINT = ("Ray is not installed: pip install 'ray[default]' (or pip install .[batch] in the monodepth_ros "
                "source folder; make setup installs it)")


@dataclass
class FileResult:
    """One input's line of the summary table."""

    input: str
    kind: str
    status: str = "pending"
    """done, skipped (finished before), failed."""
    frames: int = 0
    seconds: float = 0.0
    reason: str = ""
    units_left: int = 0
    """Tasks of this input still running."""
    worker_seconds: list[float] = field(default_factory=list)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0.0 else float("nan")


def import_ray():
    """The ray module; ImportError with the install command when it is missing."""
    try:
        import ray
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return ray


def connect(address: str, num_cpus: int | None = None):
    """Ray, started or joined: ``local`` (a new instance on this machine, ``num_cpus`` workers), ``auto`` (the
    running cluster this machine is part of) or ``ray://HOST:PORT``. An already initialised Ray is used as it is."""
    ray = import_ray()
    if not ray.is_initialized():
        if address == "local":
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    return ray


def one_line(error: BaseException) -> str:
    """The first line of an error's cause (a task's exception is wrapped by Ray)."""
    cause = getattr(error, "cause", None) or error
    text = f"{type(cause).__name__}: {cause}" if not isinstance(cause, ValueError) else str(cause)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def run_batch(jobs: list[Job], spec: dict, retries: int = 2, cpus_per_task: float = 1.0, gpus_per_task: float = 0.0,
              progress: bool = True) -> list[FileResult]:
    """Every unfinished unit of ``jobs`` as a Ray task (Ray already connected), videos merged as their chunks
    finish; returns a result per job, in order. A task that raises or whose worker dies is retried ``retries``
    times, then its job is reported failed; the others go on."""
    import ray
    from tqdm import tqdm

    task = ray.remote(run_unit).options(num_cpus=cpus_per_task, num_gpus=gpus_per_task, max_retries=retries,
                                        retry_exceptions=True)
    results, pending = [], {}
    for job in jobs:
        result = FileResult(str(job.input), job.kind)
        results.append(result)
        if job.output.exists():
            result.status, result.frames = "skipped", finished_frames(job) or 0
            continue
        for unit in job.units:
            if unit.output.exists() and job.kind == "video":
                continue
            pending[task.remote(unit, spec)] = (job, result)
            result.units_left += 1
        if result.units_left == 0:
            finish(job, result)
    counts = [job.frame_count for job in {id(job): job for job, _ in pending.values()}.values()]
    total_frames = None if None in counts else sum(counts)
    files = tqdm(total=len(jobs), unit="file", desc=f"{PROGRAM} files", disable=not progress, file=sys.stderr,
                 position=0, initial=sum(result.status == "skipped" for result in results))
    frames = tqdm(total=total_frames, unit="frame", desc=f"{PROGRAM} frames", disable=not progress,
                  file=sys.stderr, position=1)
    with files, frames:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            job, result = pending.pop(ready[0])
            try:
                done = ray.get(ready[0])
            except Exception as error:  # noqa: BLE001 - any task failure is reported, the others go on
                result.status, result.reason = "failed", one_line(error)
                result.units_left -= 1
                if result.units_left == 0:
                    files.update(1)
                continue
            frames.update(done["frames"])
            result.frames += done["frames"]
            result.worker_seconds.append(done["seconds"])
            result.units_left -= 1
            if result.units_left == 0:
                if result.status != "failed":
                    finish(job, result)
                files.update(1)
    return results


def finish(job: Job, result: FileResult) -> None:
    """A job whose units all succeeded: merge a video's chunks; mark it done (or failed, with the reason)."""
    try:
        if job.kind == "video":
            result.frames = merge_video(job)["frames"]
    except Exception as error:  # noqa: BLE001 - reported in the summary
        result.status, result.reason = "failed", one_line(error)
        return
    result.status = "done"
    result.seconds = sum(result.worker_seconds)


def summary_table(results: list[FileResult], elapsed_s: float) -> str:
    """Files, frames, frames/s (per file: of its task time; total: wall time) and failures with their reasons."""
    width = max([len("file")] + [len(result.input) for result in results])
    lines = [f"{'file':<{width}}  {'kind':<5}  {'status':<7}  {'frames':>6}  {'fps':>6}  reason"]
    for result in results:
        fps = f"{result.fps:6.2f}" if result.status == "done" else "     -"
        lines.append(f"{result.input:<{width}}  {result.kind:<5}  {result.status:<7}  {result.frames:>6}  {fps}  "
                     f"{result.reason}".rstrip())
    done = [result for result in results if result.status == "done"]
    frames = sum(result.frames for result in done)
    failed = sum(result.status == "failed" for result in results)
    lines.append(f"{len(results)} files: {len(done)} done, {sum(r.status == 'skipped' for r in results)} skipped, "
                 f"{failed} failed; {frames} frames in {elapsed_s:.1f} s ({frames / max(elapsed_s, 1e-9):.2f} "
                 "frames/s)")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("inputs", type=Path, nargs="+", metavar="INPUT", help="bags, video files, image folders")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder of the outputs")
    parser.add_argument("--kind", choices=KINDS, default="auto", help="what the inputs are (default: by name)")
    parser.add_argument("--address", default="local",
                        help="local (start Ray here, the default), auto (the running cluster) or ray://HOST:PORT")
    parser.add_argument("--workers", type=int, default=None,
                        help="with --address local: CPUs Ray may use (default: all)")
    parser.add_argument("--gpus-per-task", type=float, default=0.0, help="GPUs a task reserves (default 0)")
    parser.add_argument("--cpus-per-task", type=float, default=1.0, help="CPUs a task reserves (default 1)")
    parser.add_argument("--chunk-frames", type=int, default=300,
                        help="videos longer than this are split into chunks of this many frames (0: never)")
    parser.add_argument("--overlap-frames", type=int, default=8,
                        help="frames before a chunk that warm its stabiliser up (default 8)")
    parser.add_argument("--retries", type=int, default=2, help="retries of a failed task (default 2)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_model_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        if arguments.chunk_frames < 0 or arguments.overlap_frames < 0 or arguments.retries < 0:
            raise ValueError("--chunk-frames, --overlap-frames and --retries must not be negative")
        model_spec_from_arguments(arguments)
        missing = [str(path) for path in arguments.inputs if not path.exists()]
        if missing:
            raise FileNotFoundError(f"no such input: {', '.join(missing)}")
        jobs = plan_jobs(arguments.inputs, arguments.out, arguments.kind, arguments.chunk_frames,
                         arguments.overlap_frames)
        started = time.perf_counter()
        connect(arguments.address, arguments.workers)
        results = run_batch(jobs, model_options(arguments), arguments.retries, arguments.cpus_per_task,
                            arguments.gpus_per_task, progress=not arguments.no_progress)
    except (ImportError, ValueError, FileNotFoundError, ConnectionError, RuntimeError) as error:
        print(f"{PROGRAM}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    print(summary_table(results, time.perf_counter() - started))
    return 0 if all(result.status != "failed" for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
