"""Depth-aware compression against a plain encode at the same settings: file size and subject-region PSNR.

Input: a clip made from the Middlebury Motorcycle photo and its ground-truth depth (2.1-5 m, holes filled): a
window of --size from row --top sliding 1 px per frame across the photo (a slow pan), with Gaussian sensor noise of --noise grey
levels per frame (real cameras have it; 0 = none). Both encodes are H.264 (libx264, yuv420p, preset veryfast) at
the same CRF through VideoFileWriter, the plain one of the frames as they are, the other of the frames after the
compress effect (defaults: the subject = nearer than the split of near from far). PSNR is against the uncompressed
frames, over the subject pixels (depth <= the frame's resolved sharp_until_m) and over the whole frame. Prints a
Markdown table per CRF with the saving and the subject PSNR change, and the target (>= 30 % smaller, subject PSNR
within 0.5 dB): PASS/FAIL, exit code 0 either way.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_common import parse_size

from monodepth_ros.core.effects.encoding.compress import CompressParams, compress, resolved
from monodepth_ros.core.sources.video_file import VideoFileReader, VideoFileWriter
from monodepth_ros.testing.effect_scenes import motorcycle_scene

TARGET_SAVING = 0.30
TARGET_PSNR_DROP_DB = 0.5


def clip(size: tuple[int, int], top: int, frames: int, noise: float, seed: int = 0
         ) -> tuple[list[np.ndarray], list[np.ndarray], object]:
    """(rgb uint8 (H, W, 3) per frame, depth float32 (H, W) per frame, intrinsics of the first window)."""
    import dataclasses

    rgb, depth, intrinsics = motorcycle_scene()
    width, height = size
    if width + frames > rgb.shape[1] or top + height > rgb.shape[0]:
        raise SystemExit(f"--size {width}x{height} with {frames} frames does not fit the {rgb.shape[1]}x"
                         f"{rgb.shape[0]} photo")
    rng = np.random.default_rng(seed)
    images, depths = [], []
    for index in range(frames):
        window = (slice(top, top + height), slice(index, index + width))
        noisy = rgb[window].astype(np.float32) + rng.normal(0.0, noise, (height, width, 3)).astype(np.float32)
        images.append(np.clip(noisy + 0.5, 0, 255).astype(np.uint8))
        depths.append(depth[window])
    first_window = dataclasses.replace(intrinsics, cy=intrinsics.cy - top, width=width, height=height)
    return images, depths, first_window


def encode(path: Path, frames: list[np.ndarray], fps: float, crf: int) -> list[np.ndarray]:
    """Encode, then decode: the frames as a viewer gets them."""
    height, width = frames[0].shape[:2]
    with VideoFileWriter(path, fps, width, height, crf=crf) as writer:
        for frame in frames:
            writer.write(frame)
    with VideoFileReader(path) as reader:
        return [rgb for rgb, _ in reader.frames()]


def psnr(reference: list[np.ndarray], decoded: list[np.ndarray], masks: list[np.ndarray] | None) -> float:
    """PSNR (dB) over all frames, of the pixels in ``masks`` (bool (H, W) per frame) or all."""
    squared, count = 0.0, 0
    for index, (original, seen) in enumerate(zip(reference, decoded)):
        error = (original.astype(np.float64) - seen.astype(np.float64)) ** 2
        if masks is not None:
            error = error[masks[index]]
        squared += float(error.sum())
        count += error.size
    return float(10.0 * np.log10(255.0 ** 2 / (squared / count)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=(640, 300), help="frame size WIDTHxHEIGHT (default: "
                        "640x300; at most 741x500 less the pan)")
    parser.add_argument("--top", type=int, default=0, help="first row of the window in the photo (default: 0, the "
                        "motorcycle against the shelves; 68 with 640x432 adds the near floor)")
    parser.add_argument("--frames", type=int, default=60, help="frames (default: 60, 2 s at 30 fps)")
    parser.add_argument("--noise", type=float, default=2.0, help="sensor noise, grey levels (default: 2)")
    parser.add_argument("--crf", type=int, nargs="+", default=[18, 23], help="H.264 CRF values (default: 18 23; "
                        "monodepth-effects writes 18)")
    arguments = parser.parse_args()
    fps = 30.0
    frames, depths, intrinsics = clip(arguments.size, arguments.top, arguments.frames, arguments.noise)
    params = CompressParams()
    started = time.perf_counter()
    prepared = [compress(rgb, depth, intrinsics, params) for rgb, depth in zip(frames, depths)]
    effect_ms = (time.perf_counter() - started) * 1e3 / len(frames)
    limits = [resolved(depth, params).sharp_until_m for depth in depths]
    masks = [depth <= limit for depth, limit in zip(depths, limits)]
    share = float(np.mean([mask.mean() for mask in masks]))
    print(f"Clip: {len(frames)} frames {arguments.size[0]}x{arguments.size[1]}, noise {arguments.noise:g} levels; "
          f"subject (depth <= {np.median(limits):.2f} m, median) {100 * share:.0f} % of the pixels; "
          f"effect {effect_ms:.1f} ms per frame\n")
    print("| CRF | plain (kB) | depth-aware (kB) | saving | subject PSNR plain / depth-aware (dB) | change (dB) "
          "| whole-frame PSNR plain / depth-aware (dB) | target |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for crf in arguments.crf:
            plain_path, aware_path = Path(folder) / f"plain{crf}.mp4", Path(folder) / f"aware{crf}.mp4"
            plain, aware = encode(plain_path, frames, fps, crf), encode(aware_path, prepared, fps, crf)
            plain_kb, aware_kb = plain_path.stat().st_size / 1e3, aware_path.stat().st_size / 1e3
            saving = 1.0 - aware_kb / plain_kb
            subject = psnr(frames, plain, masks), psnr(frames, aware, masks)
            whole = psnr(frames, plain, None), psnr(frames, aware, None)
            change = subject[1] - subject[0]
            passed = saving >= TARGET_SAVING and change >= -TARGET_PSNR_DROP_DB
            print(f"| {crf} | {plain_kb:.0f} | {aware_kb:.0f} | {100 * saving:.1f} % | {subject[0]:.2f} / "
                  f"{subject[1]:.2f} | {change:+.2f} | {whole[0]:.2f} / {whole[1]:.2f} | "
                  f"{'PASS' if passed else 'FAIL'} (>= 30 %, >= -0.5 dB) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
