"""monodepth-effects: depth effects on a photo or a video, optionally in time with music.

  monodepth-effects INPUT --effect NAME --out OUTPUT [options]

INPUT is an image or a video; OUTPUT a .png/.jpg (a still effect on an image) or an .mp4 (videos, and animated
effects or beat-synced ones on an image). Depth comes from --depth (.npy/.npz in metres, e.g. monodepth-video's
depth.npz, or a 16-bit PNG in millimetres) or from the depth model. An output video keeps the input's sound, or
the --audio track, in sync. Effects and their options: --list-effects.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from monodepth_ros.core.audio.beats import SAMPLE_RATE, detect_onsets, track_beats
from monodepth_ros.core.audio.envelope import BeatCursor, BeatEnvelope
from monodepth_ros.core.camera.intrinsics import Intrinsics
from monodepth_ros.core.effects.animator import BEAT_MODES, EffectAnimator, beat_mode_error
from monodepth_ros.core.effects.options import OptionField, with_options
from monodepth_ros.core.effects.registry import EFFECTS, Effect, UnknownEffectError, get_effect
from monodepth_ros.core.sources.image_folder import IMAGE_SUFFIXES
from monodepth_ros.core.sources.video_file import VIDEO_SUFFIXES, VideoFileReader, VideoSourceError, read_audio
from monodepth_ros.tools.effect_inputs import (
    DEFAULT_HFOV_DEG,
    DepthFile,
    InputError,
    intrinsics_from_camera_info_yaml,
    intrinsics_from_fov,
    load_depth,
    read_image,
    write_image,
)
from monodepth_ros.tools.model_arguments import add_model_arguments, model_spec_from_arguments

PROGRAM = "monodepth-effects"
STILL_SUFFIXES = (".png", ".jpg", ".jpeg")
DEFAULT_FPS = 30.0
DEFAULT_STILL_VIDEO_S = 4.0


class ToolError(Exception):
    """Ends the tool with a one-line message."""


def _effect_options() -> dict[str, OptionField]:
    """Every effect parameter by name (fields of the same name mean the same in every effect)."""
    options: dict[str, OptionField] = {}
    for effect in EFFECTS.values():
        for field in effect.fields():
            options.setdefault(field.name, field)
    return options


def _add_effect_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("effect options (each applies to the effects that have it; "
                                      "see --list-effects)")
    for name, field in _effect_options().items():
        flag = "--" + name.replace("_", "-")
        help_text = field.info.help + f" (default: {_shown(field.default)})"
        if field.kind is bool:
            group.add_argument(flag, dest=name, type=lambda text: text.lower() in ("1", "true", "yes"),
                               default=None, metavar="BOOL", help=help_text)
        elif field.kind is tuple:
            nargs = field.info.length or "*"
            group.add_argument(flag, dest=name, type=field.item_kind, nargs=nargs, default=None, help=help_text)
        elif field.info.choices:
            group.add_argument(flag, dest=name, choices=field.info.choices, default=None, help=help_text)
        else:
            group.add_argument(flag, dest=name, type=field.kind, default=None, help=help_text)


def _shown(value: Any) -> str:
    return " ".join(str(item) for item in value) if isinstance(value, tuple) else str(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.split("\n\n")[0],
                                     epilog="Effects: " + "; ".join(f"{e.name}: {e.summary}" for e in EFFECTS.values()))
    parser.add_argument("input", nargs="?", type=Path, help="image or video file")
    parser.add_argument("--effect", help="one of " + ", ".join(EFFECTS))
    parser.add_argument("--out", type=Path, help="output .png/.jpg (still) or .mp4 (video)")
    parser.add_argument("--list-effects", action="store_true", help="print each effect's options and exit")
    parser.add_argument("--depth", type=Path, help="depth: .npy/.npz float metres ((H, W) or (N, H, W); an .npz "
                        "with 'stamps' is matched by time) or a 16-bit PNG in millimetres; default: the depth model")
    camera = parser.add_argument_group("camera (one of)")
    camera.add_argument("--camera-info", type=Path, metavar="YAML", help="ROS camera_info / calibration YAML "
                        "(scaled to the input's size)")
    camera.add_argument("--fx", type=float, help="focal length in pixels (with --fy --cx --cy; fy defaults to fx, "
                        "cx and cy to the image centre)")
    camera.add_argument("--fy", type=float)
    camera.add_argument("--cx", type=float)
    camera.add_argument("--cy", type=float)
    camera.add_argument("--hfov-deg", type=float, default=DEFAULT_HFOV_DEG,
                        help=f"horizontal field of view when nothing else is given (default: {DEFAULT_HFOV_DEG:g}, "
                        "a guess between a webcam and a phone camera)")
    timing = parser.add_argument_group("time and music")
    timing.add_argument("--audio", type=Path, help="audio (wav/mp3/flac/...) for beats and the output's sound; "
                        "default: the input video's sound")
    timing.add_argument("--beat-sync", default="none", help="parameter the beats drive: none, "
                        + ", ".join(f"{mode} ({'/'.join(effects) or 'any effect'})"
                                    for mode, effects in BEAT_MODES.items()))
    timing.add_argument("--beat-events", choices=("beats", "onsets"), default="beats",
                        help="beats (steady pulse) or onsets (every note or hit) (default: beats)")
    timing.add_argument("--beat-strength", type=float, default=1.0, help="how strongly a beat moves the "
                        "parameter, 0..4 (default: 1)")
    timing.add_argument("--beat-decay-s", type=float, default=0.25, help="time constant of the decay after "
                        "each beat (seconds, default: 0.25)")
    timing.add_argument("--beat-threshold", type=float, default=0.0, help="ignore beats weaker than this, 0..1 "
                        "(default: 0)")
    timing.add_argument("--smoothing-s", type=float, default=0.5, help="video: settle time of the automatic "
                        "distances (focus, pivot, ...) from frame to frame, seconds; 0 = none (default: 0.5)")
    timing.add_argument("--duration-s", type=float, help="image to video: length (default: the parallax period, "
                        "the rack plus its settle time, the --audio length, else 4 s)")
    timing.add_argument("--fps", type=float, default=DEFAULT_FPS, help="image to video: frame rate (default: 30)")
    parser.add_argument("--trace", type=Path, help="write one JSON line per output frame: frame, t, beat, params")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_effect_arguments(parser)
    add_model_arguments(parser)
    return parser


def effect_listing() -> str:
    lines = []
    for effect in EFFECTS.values():
        lines.append(f"{effect.name}: {effect.summary}{' (animated)' if effect.animated else ''}")
        for field in effect.fields():
            lines.append(f"  --{field.name.replace('_', '-')} (default {_shown(field.default)}): {field.info.help}")
    return "\n".join(lines)


def effect_parameters(effect: Effect, arguments: argparse.Namespace) -> Any:
    """The effect's parameters from its defaults and the options given; options of other effects are an error."""
    given = {name: getattr(arguments, name) for name in _effect_options() if getattr(arguments, name) is not None}
    own = {field.name: field for field in effect.fields()}
    foreign = sorted(set(given) - set(own))
    if foreign:
        raise ToolError(f"--{foreign[0].replace('_', '-')} does not apply to the {effect.name} effect")
    values = {name: tuple(value) if isinstance(value, list) else value for name, value in given.items()}
    for name in list(values):
        implied = own[name].info.implies
        if implied is not None and implied[0] not in given:
            values[implied[0]] = implied[1]
    try:
        return with_options(effect.defaults(), values)
    except ValueError as error:
        raise ToolError(str(error)) from None


def resolve_intrinsics(arguments: argparse.Namespace, width: int, height: int) -> Intrinsics:
    if arguments.camera_info is not None:
        return intrinsics_from_camera_info_yaml(arguments.camera_info, width, height)
    if arguments.fx is not None:
        fy = arguments.fy if arguments.fy is not None else arguments.fx
        if not (arguments.fx > 0.0 and fy > 0.0):
            raise ToolError("--fx and --fy must be positive")
        return Intrinsics(arguments.fx, fy, arguments.cx if arguments.cx is not None else (width - 1) / 2.0,
                          arguments.cy if arguments.cy is not None else (height - 1) / 2.0, width, height)
    if any(value is not None for value in (arguments.fy, arguments.cx, arguments.cy)):
        raise ToolError("--fy, --cx and --cy need --fx")
    return intrinsics_from_fov(width, height, arguments.hfov_deg)


def estimated_depth(frames: Iterable[tuple[np.ndarray, float]], estimator, intrinsics: Intrinsics
                    ) -> Iterator[np.ndarray]:
    """Depth in metres, float32 (H, W), from the depth model for each (rgb uint8 (H, W, 3), stamp_s) frame, in
    order: the one place where the tool estimates depth (a temporal stabiliser's update(rgb, depth, intrinsics,
    stamp) belongs here). A relative model's inverse depth is inverted: distances then have an unknown scale."""
    from monodepth_ros.core.depth.types import DepthKind

    for rgb, _ in frames:
        prediction = estimator.predict(rgb, intrinsics)
        values = prediction.values
        if prediction.kind is not DepthKind.METRIC:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(values > 0.0, 1.0 / values, np.nan).astype(np.float32)
        yield values


def _still_frames(rgb: np.ndarray, count: int, fps: float) -> Iterator[tuple[np.ndarray, float]]:
    for index in range(count):
        yield rgb, index / fps


def open_input(path: Path) -> tuple[np.ndarray | None, VideoFileReader | None]:
    """(rgb, None) for an image, (None, reader) for a video."""
    if path is None:
        raise ToolError("give an INPUT image or video")
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return read_image(path), None
    if suffix in VIDEO_SUFFIXES:
        return None, VideoFileReader(path)
    try:
        return read_image(path), None
    except InputError:
        return None, VideoFileReader(path)


def _image_video_duration(effect: Effect, params: Any, audio_samples: np.ndarray | None,
                          arguments: argparse.Namespace) -> float:
    if arguments.duration_s is not None:
        if not arguments.duration_s > 0.0:
            raise ToolError("--duration-s must be positive")
        return arguments.duration_s
    if audio_samples is not None:
        return max(len(audio_samples) / SAMPLE_RATE, 1.0 / arguments.fps)
    if effect.name == "parallax":
        return params.period_s
    if effect.name == "rack-focus":
        last = params.focus_keyframes[-2] if params.focus_keyframes else params.rack_at_s
        return last + params.settle_s + 1.0
    return DEFAULT_STILL_VIDEO_S


def beat_source(arguments: argparse.Namespace, reader: VideoFileReader | None) -> tuple[Path | None, float]:
    """The audio file for beats and sound, and the position on its clock of the first frame."""
    if arguments.audio is not None:
        return arguments.audio, 0.0
    if reader is not None and reader.info.has_audio:
        return reader.path, reader.info.start_s
    return None, 0.0


def run(arguments: argparse.Namespace) -> int:
    try:
        effect = get_effect(arguments.effect or "")
    except UnknownEffectError as error:
        raise ToolError(str(error) if arguments.effect else "give --effect NAME; one of "
                        + ", ".join(EFFECTS)) from None
    if arguments.out is None:
        raise ToolError("give --out OUTPUT (.png, .jpg or .mp4)")
    params = effect_parameters(effect, arguments)
    error = beat_mode_error(arguments.beat_sync, effect.name)
    if error:
        raise ToolError(error)
    if not 0.0 <= arguments.beat_strength <= 4.0 or not 0.0 <= arguments.beat_threshold <= 1.0:
        raise ToolError("--beat-strength must lie in [0, 4] and --beat-threshold in [0, 1]")
    if not arguments.beat_decay_s > 0.0 or not arguments.fps > 0.0 or arguments.smoothing_s < 0.0:
        raise ToolError("--beat-decay-s and --fps must be positive, --smoothing-s not negative")
    out_suffix = arguments.out.suffix.lower()
    still_output = out_suffix in STILL_SUFFIXES
    if not still_output and out_suffix not in VIDEO_SUFFIXES:
        raise ToolError(f"unknown output type {out_suffix!r}; use .png, .jpg or .mp4")
    transparent = getattr(params, "background", None) == "transparent"
    if transparent and out_suffix != ".png":
        raise ToolError("background transparent needs a .png output (videos and JPEG have no alpha)")

    rgb, reader = open_input(arguments.input)
    try:
        return _render(arguments, effect, params, rgb, reader, still_output)
    finally:
        if reader is not None:
            reader.close()


def _render(arguments, effect: Effect, params, rgb, reader: VideoFileReader | None, still_output: bool) -> int:
    if reader is not None and still_output:
        raise ToolError("a video input needs a video output (.mp4)")
    if still_output and arguments.beat_sync != "none":
        raise ToolError("--beat-sync needs a video output (.mp4)")
    width, height = (reader.info.width, reader.info.height) if reader is not None else (rgb.shape[1], rgb.shape[0])
    intrinsics = resolve_intrinsics(arguments, width, height)
    depth_file = load_depth(arguments.depth) if arguments.depth is not None else None
    if depth_file is not None:
        depth_file.check_size(width, height)
    audio_path, audio_start_s = beat_source(arguments, reader)
    samples = None
    if arguments.beat_sync != "none" or (arguments.audio is not None and not still_output):
        if audio_path is None:
            raise ToolError("--beat-sync needs sound: --audio FILE, or a video with an audio track")
        samples = read_audio(audio_path, SAMPLE_RATE, audio_start_s)

    if reader is not None:
        fps = reader.info.fps or DEFAULT_FPS
        frames, count = reader.frames(), reader.info.frame_count
    elif still_output:
        fps, count = DEFAULT_FPS, 1
        frames = _still_frames(rgb, 1, fps)
    else:
        fps = arguments.fps
        count = max(int(round(_image_video_duration(effect, params, samples, arguments) * fps)), 1)
        frames = _still_frames(rgb, count, fps)

    beats = None
    if arguments.beat_sync != "none":
        track = (track_beats if arguments.beat_events == "beats" else detect_onsets)(samples, SAMPLE_RATE)
        beats = BeatCursor(track.times_s, track.strengths, arguments.beat_threshold)
        if not arguments.quiet:
            print(f"{len(track.times_s)} {arguments.beat_events} found, tempo {track.tempo_bpm:.1f} BPM",
                  file=sys.stderr)
    envelope = BeatEnvelope(arguments.beat_decay_s)
    animator = EffectAnimator(effect, params, arguments.beat_sync, arguments.beat_strength,
                              arguments.smoothing_s if reader is not None else 0.0)
    depth_frames = _depth_stream(arguments, depth_file, frames, fps, intrinsics, single_image=reader is None)
    writer = None
    trace = arguments.trace.open("w") if arguments.trace is not None else None
    progress = _progress(count, arguments.quiet or still_output)
    try:
        for index, (frame_rgb, stamp, depth) in enumerate(depth_frames):
            beat = envelope.update(stamp, beats.take(stamp, 0.5 / fps)) if beats is not None else 0.0
            image, animated = animator.render(frame_rgb, depth, intrinsics, stamp, beat)
            if trace is not None:
                trace.write(json.dumps({"frame": index, "t": round(stamp, 6), "beat": round(beat, 6),
                                        "params": animated}) + "\n")
            if still_output:
                write_image(arguments.out, image)
                break
            if writer is None:
                writer = _open_writer(arguments.out, fps, image, audio_path, audio_start_s)
            writer.write(image, stamp)
            progress.update(1)
    finally:
        progress.close()
        if trace is not None:
            trace.close()
        if writer is not None:
            writer.close()
    return 0


def _open_writer(path: Path, fps: float, first_image: np.ndarray, audio: Path | None, audio_start_s: float):
    from monodepth_ros.core.sources.video_file import VideoFileWriter

    if first_image.shape[2] != 3:
        raise ToolError("a video output needs RGB frames; use a .png output for a transparent background")
    return VideoFileWriter(path, fps, first_image.shape[1], first_image.shape[0], audio_from=audio,
                           audio_offset_s=audio_start_s)


def _progress(total: int, disabled: bool):
    from tqdm import tqdm

    return tqdm(total=total or None, unit="frame", disable=disabled, file=sys.stderr, dynamic_ncols=True)


def _depth_stream(arguments, depth_file: DepthFile | None, frames: Iterator[tuple[np.ndarray, float]], fps: float,
                  intrinsics: Intrinsics, single_image: bool) -> Iterator[tuple[np.ndarray, float, np.ndarray]]:
    """(rgb, stamp_s, depth_m) per frame, depth from the file or the model (once for an image)."""
    if depth_file is not None:
        for index, (rgb, stamp) in enumerate(frames):
            yield rgb, stamp, depth_file.for_frame(index, stamp, 1.0 / fps)
        return
    from monodepth_ros.core.depth.estimator import DepthEstimator

    estimator = DepthEstimator(model_spec_from_arguments(arguments))
    if single_image:
        depth = None
        for rgb, stamp in frames:
            if depth is None:
                depth = next(estimated_depth([(rgb, stamp)], estimator, intrinsics))
            yield rgb, stamp, depth
        return
    pending: deque[tuple[np.ndarray, float]] = deque()

    def remembered() -> Iterator[tuple[np.ndarray, float]]:
        for frame in frames:
            pending.append(frame)
            yield frame

    for depth in estimated_depth(remembered(), estimator, intrinsics):
        rgb, stamp = pending.popleft()
        yield rgb, stamp, depth


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.list_effects:
        print(effect_listing())
        return 0
    try:
        return run(arguments)
    except (ToolError, InputError, VideoSourceError, ValueError, OSError) as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
