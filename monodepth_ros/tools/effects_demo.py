"""One picture per depth effect, from a real photo with measured depth, so a person sees what each does.

.venv/bin/python -m monodepth_ros.tools.effects_demo --out out/effects   (make effects-demo)
The photo is the Middlebury 2014 Motorcycle left view shipped with scikit-image, its depth the dataset's
ground truth (holes filled from the background side). Writes into --out:
  bokeh.png, rack_focus.png (4 moments of the rack) + rack_focus.mp4, fog.png, parallax.png (4 moments of the
  path) + parallax.mp4, stereo_sbs.png, stereo_anaglyph.png, isolate_blur.png, isolate_transparent.png,
  overview.png (all side by side, labelled) and README.md.
"""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.effects.registry import get_effect
from monodepth_ros.core.sources.video_file import VideoFileWriter
from monodepth_ros.testing.effect_scenes import motorcycle_scene
from monodepth_ros.tools.effect_inputs import write_image

WIDTH, HEIGHT = 640, 432
VIDEO_FPS = 30.0


def _strip(frames: list[np.ndarray]) -> np.ndarray:
    """Four frames as a 2x2 grid at half size."""
    small = [cv2.resize(frame, (frame.shape[1] // 2, frame.shape[0] // 2), interpolation=cv2.INTER_AREA)
             for frame in frames]
    return np.concatenate([np.concatenate(small[:2], axis=1), np.concatenate(small[2:], axis=1)], axis=0)


def _labelled(image: np.ndarray, label: str) -> np.ndarray:
    tile = cv2.resize(image[..., :3], (WIDTH // 2, HEIGHT // 2), interpolation=cv2.INTER_AREA).copy()
    cv2.rectangle(tile, (0, 0), (tile.shape[1], 22), (0, 0, 0), thickness=-1)
    cv2.putText(tile, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def _video(path: Path, frames: list[np.ndarray]) -> None:
    with VideoFileWriter(path, VIDEO_FPS, frames[0].shape[1], frames[0].shape[0]) as writer:
        for frame in frames:
            writer.write(frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/effects"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rgb, depth, intrinsics = motorcycle_scene(WIDTH, HEIGHT)

    def render(name: str, **values):
        effect = get_effect(name)
        return effect.apply(rgb, depth, intrinsics, dataclasses.replace(effect.defaults(), **values))

    pictures = {
        "bokeh": render("bokeh", focus="auto", f_number=1.2, focal_length_mm=85.0, highlight_gain=3.0),
        "fog": render("fog", fog_mode="exp", density=0.25),
        "stereo_sbs": render("stereo", stereo_format="sbs"),
        "stereo_anaglyph": render("stereo", stereo_format="anaglyph", divergence_pct=2.5),
        "isolate_blur": render("isolate", subject="range", subject_near_m=1.5, subject_far_m=3.3),
        "isolate_transparent": render("isolate", subject="range", subject_near_m=1.5, subject_far_m=3.3,
                                      background="transparent"),
    }
    rack_times = np.arange(0.0, 2.6, 1.0 / VIDEO_FPS)
    rack = [render("rack-focus", rack_from_m=2.4, rack_to_m=4.5, rack_at_s=0.6, settle_s=1.0, f_number=1.2,
                   focal_length_mm=85.0, time_s=float(time)) for time in rack_times]
    path_times = np.arange(0.0, 4.0, 1.0 / VIDEO_FPS)
    path = [render("parallax", path="circle", amplitude_px=14.0, time_s=float(time)) for time in path_times]
    pictures["rack_focus"] = _strip([rack[int(i)] for i in np.linspace(0, len(rack) - 1, 4)])
    pictures["parallax"] = _strip([path[int(i)] for i in np.linspace(0, len(path) - 1, 5)[:4]])
    _video(args.out / "rack_focus.mp4", rack)
    _video(args.out / "parallax.mp4", path)
    for name, image in pictures.items():
        write_image(args.out / f"{name}.png", image)

    tiles = [_labelled(rgb, "input"), _labelled(pictures["bokeh"], "bokeh f/1.2 85 mm"),
             _labelled(rack[len(rack) // 3], "rack-focus (mid-rack)"), _labelled(pictures["fog"], "fog exp 0.25/m"),
             _labelled(path[len(path) // 8], "parallax circle 14 px"),
             _labelled(pictures["stereo_anaglyph"], "stereo anaglyph (red-cyan)"),
             _labelled(pictures["isolate_blur"], "isolate 1.5-3.3 m, background blurred"),
             _labelled(np.where(pictures["isolate_transparent"][..., 3:] > 127, rgb, 255).astype(np.uint8),
                       "isolate, transparent (on white)")]
    overview = np.concatenate([np.concatenate(tiles[:4], axis=1), np.concatenate(tiles[4:], axis=1)], axis=0)
    write_image(args.out / "overview.png", overview)
    (args.out / "README.md").write_text(
        "# Depth effects on the Middlebury Motorcycle\n\n"
        "Input: the Middlebury 2014 Motorcycle left view (scikit-image), resized to 640x432, with its ground-truth "
        "depth (2.1-5 m). `overview.png` shows every effect; the other pictures are full size:\n\n"
        "| file | effect |\n|---|---|\n"
        "| bokeh.png | focus on the subject found automatically (the motorcycle, 2.4 m), f/1.2, 85 mm lens, "
        "highlights boosted 3x |\n"
        "| rack_focus.png / .mp4 | focus racking from the motorcycle (2.4 m) to the shelves (4.5 m) (4 moments; "
        "the video is 2.6 s) |\n"
        "| fog.png | exponential fog, 0.25 per metre |\n"
        "| parallax.png / .mp4 | 3D photo: the camera circles, nearest content moving 14 px (4 moments; 4 s video) |\n"
        "| stereo_sbs.png | left and synthesised right view side by side (2 % divergence) |\n"
        "| stereo_anaglyph.png | red-cyan anaglyph (Dubois matrices) |\n"
        "| isolate_blur.png | the motorcycle (1.5-3.3 m) kept, background blurred |\n"
        "| isolate_transparent.png | the same subject with a transparent background (RGBA) |\n")
    print(f"wrote {len(pictures) + 1} pictures and 2 videos to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
