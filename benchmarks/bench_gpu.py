"""GPU throughput of the depth core against plain PyTorch, in one run that writes a report (Markdown + JSON).

Measures DepthEstimator.predict_batch (uint8 RGB on the host in, float32 depth on the host out: upload,
preprocessing on the device, network, resize to the input size, one copy back) per stage, for a
Depth-Anything-V2-Small-shaped and a Base-shaped model built from config (random weights time like trained ones),
at 518x518 and 640x480 input, fp32 / fp16 / bf16, eager / CUDA graphs / torch.compile, batch 1 / 4 / 8; the same
model in plain PyTorch as typical wrappers run it (the processor's CPU preprocessing, ``model(pixel_values)``, the
processor's post-processing, copy back), measured in the same run; FastDepth through ONNX Runtime's CPU execution
provider; peak GPU memory; and the acceptance ratios for DA-V2-Small 518x518 fp16 batch 1.

Imports only monodepth_ros.core, numpy, OpenCV, torch, transformers and onnxruntime (no ROS). Measurements run
in priority order and stop starting new ones when ``--budget-s`` is spent; the report says what was left out.
The report is rewritten after every measurement, so a run cut short still leaves one.

    python benchmarks/bench_gpu.py --out out/bench_gpu                  # GPU (about 7 minutes on an H200)
    python benchmarks/bench_gpu.py --cpu-smoke --out out/bench_gpu_cpu  # small sizes on the CPU (< 2 minutes)
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from monodepth_ros.core.depth.estimator import DepthEstimator  # noqa: E402
from monodepth_ros.core.depth.model_spec import ModelSpec  # noqa: E402

LOGGER = logging.getLogger("bench_gpu")
STAGES = ("preprocess", "inference", "postprocess")
VARIANTS = {"eager": {}, "cuda_graphs": {"cuda_graphs": True},
            "compiled+cuda_graphs": {"torch_compile": True, "cuda_graphs": True}, "compiled": {"torch_compile": True}}
"""Our network variants and the ModelSpec fields that select them."""
MODEL_SHAPES = {  # Depth Anything V2 (DINOv2 ViT-S/14 and ViT-B/14 + DPT head), as published
    "small": dict(hidden=384, heads=6, neck=[48, 96, 192, 384], fusion=64),
    "base": dict(hidden=768, heads=12, neck=[96, 192, 384, 768], fusion=128),
}
COMPILE_ESTIMATE_S = 90.0
"""Assumed cost of a first torch.compile for a new shape until one has been measured."""


@dataclass(frozen=True)
class Settings:
    """What one run measures."""

    device: str
    sizes: tuple[tuple[int, int], ...]
    """Input images (width, height)."""
    network_side: int
    """The processor's size (square; Depth Anything keeps the aspect ratio in multiples of 14)."""
    precisions: tuple[str, ...]
    batches: tuple[int, ...]
    variants: tuple[str, ...]
    models: tuple[str, ...]
    warmup: int
    runs: int
    max_seconds_per_point: float
    budget_s: float


@dataclass
class Measurement:
    """One configuration, timed."""

    system: str
    """'ours' (DepthEstimator), 'baseline' (plain PyTorch) or 'fastdepth' (ONNX Runtime CPU EP)."""
    model: str
    size: str
    precision: str
    variant: str
    batch: int
    network_input: str = ""
    runs: int = 0
    stages_ms: dict[str, float] = field(default_factory=dict)
    total_ms: float = 0.0
    fps: float = 0.0
    peak_memory_mib: float | None = None
    first_call_s: float = 0.0
    note: str = ""


def da_v2_config(shape: str, network_side: int) -> transformers.DepthAnythingConfig:
    """A Depth Anything V2 config of ``shape`` ('small' or 'base'), relative depth."""
    sizes = MODEL_SHAPES[shape]
    backbone = transformers.Dinov2Config(
        hidden_size=sizes["hidden"], num_hidden_layers=12, num_attention_heads=sizes["heads"], mlp_ratio=4,
        patch_size=14, image_size=network_side, out_indices=[9, 10, 11, 12], reshape_hidden_states=False)
    return transformers.DepthAnythingConfig(
        backbone_config=backbone, reassemble_hidden_size=sizes["hidden"], neck_hidden_sizes=sizes["neck"],
        fusion_hidden_size=sizes["fusion"], head_hidden_size=32, patch_size=14, reassemble_factors=[4, 2, 1, 0.5],
        depth_estimation_type="relative")


def save_model(shape: str, network_side: int, root: Path) -> Path:
    """A random-weight model folder (safetensors, config, preprocessor config) as the hub ships DA-V2."""
    folder = root / shape
    torch.manual_seed(0)
    model = transformers.DepthAnythingForDepthEstimation(da_v2_config(shape, network_side))
    model.save_pretrained(folder)
    transformers.DPTImageProcessor(
        size={"height": network_side, "width": network_side}, keep_aspect_ratio=True, ensure_multiple_of=14,
        resample=3, image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(folder)
    return folder


def frames(batch: int, width: int, height: int) -> np.ndarray:
    """uint8 RGB (batch, height, width, 3) of smooth random texture (camera-like; content does not change timing)."""
    rng = np.random.default_rng(batch * 7 + width)
    noise = rng.integers(0, 256, (batch, height, width, 3), dtype=np.uint8)
    return np.stack([cv2.GaussianBlur(image, (0, 0), 3.0) for image in noise])


class PlainPyTorch:
    """The model as typical wrappers run it: processor on the CPU, ``model(pixel_values)``, processor
    post-processing to the input size, copy to the host."""

    def __init__(self, folder: Path, device: str, precision: str) -> None:
        dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[precision]
        self.device, self.dtype = device, dtype
        self.processor = transformers.AutoImageProcessor.from_pretrained(folder)
        self.model = transformers.AutoModelForDepthEstimation.from_pretrained(folder, dtype=dtype).to(device).eval()

    def __call__(self, images: np.ndarray) -> tuple[dict[str, float], tuple[int, ...]]:
        height, width = images.shape[1:3]
        start = time.perf_counter()
        inputs = self.processor(images=list(images), return_tensors="pt", input_data_format="channels_last")
        pixel_values = inputs["pixel_values"].to(self.device, dtype=self.dtype)
        synchronize(self.device)
        prepared = time.perf_counter()
        with torch.inference_mode():
            outputs = self.model(pixel_values=pixel_values)
            synchronize(self.device)
            inferred = time.perf_counter()
            results = self.processor.post_process_depth_estimation(outputs,
                                                                   target_sizes=[(height, width)] * len(images))
            np.stack([result["predicted_depth"].float().cpu().numpy() for result in results])
        done = time.perf_counter()
        return ({"preprocess": (prepared - start) * 1e3, "inference": (inferred - prepared) * 1e3,
                 "postprocess": (done - inferred) * 1e3}, tuple(pixel_values.shape[-2:]))


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def time_calls(settings: Settings, device: str, call, *arguments) -> tuple[list, list[float], float, float | None]:
    """What ``call(*arguments)`` returned in each timed run and its wall times (ms), after warm-up; the first
    call's seconds; the peak GPU memory (MiB) over the timed runs."""
    first = time.perf_counter()
    call(*arguments)
    first_call_s = time.perf_counter() - first
    for _ in range(max(settings.warmup - 1, 0)):
        call(*arguments)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(device)
    stages, walls = [], []
    deadline = time.perf_counter() + settings.max_seconds_per_point
    while len(walls) < settings.runs and (len(walls) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        stages.append(call(*arguments))
        walls.append((time.perf_counter() - started) * 1e3)
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.startswith("cuda") else None
    return stages, walls, first_call_s, memory


def stage_timings(estimator: DepthEstimator, images: np.ndarray) -> dict[str, float]:
    """One predict_batch call; its stage timings (ms)."""
    return estimator.predict_batch(images)[0].timings_ms


def summarise(measurement: Measurement, stages: list[dict[str, float]], walls: list[float]) -> Measurement:
    measurement.runs = len(walls)
    measurement.stages_ms = {stage: statistics.median(sample[stage] for sample in stages) for stage in STAGES}
    measurement.total_ms = statistics.median(walls)
    measurement.fps = measurement.batch * 1e3 / measurement.total_ms
    return measurement


class Run:
    """Measurements in priority order within a time budget; the report is rewritten after each one."""

    def __init__(self, settings: Settings, out: Path, fastdepth: Path | None) -> None:
        self.settings, self.out, self.fastdepth = settings, out, fastdepth
        self.started = time.monotonic()
        self.measurements: list[Measurement] = []
        self.skipped: list[str] = []
        self.notes: list[str] = []
        self.compile_s: float | None = None
        self.compile_broken = False
        self.folders: dict[str, Path] = {}

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def failed(self, label: str, error: Exception) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        LOGGER.warning("%s failed: %s", label, reason)
        self.skipped.append(f"{label} (failed: {type(error).__name__}: {reason[:200]})")
        release(self.settings.device)

    def affordable(self, label: str, estimate_s: float) -> bool:
        if self.elapsed() + estimate_s > self.settings.budget_s:
            self.skipped.append(f"{label} (time budget)")
            return False
        return True

    def points(self) -> list[tuple[str, int]]:
        """(size label, batch) in priority order: 518x518 first, small batches first."""
        labels = [f"{width}x{height}" for width, height in self.settings.sizes]
        return [(label, batch) for label in labels for batch in self.settings.batches]

    def images(self, label: str, batch: int) -> np.ndarray:
        width, height = (int(part) for part in label.split("x"))
        return frames(batch, width, height)

    def baseline(self, model: str, precision: str) -> None:
        device = self.settings.device
        label = f"baseline {model} {precision}"
        if not self.affordable(label, 10.0):
            return
        try:
            plain = PlainPyTorch(self.folders[model], device, precision)
        except Exception as error:
            self.failed(label, error)
            return
        for size, batch in self.points():
            if not self.affordable(f"{label} {size} b{batch}", 3.0):
                continue
            try:
                results, walls, first, memory = time_calls(self.settings, device, plain, self.images(size, batch))
            except Exception as error:  # a failed configuration (e.g. out of memory) must not end the run
                self.failed(f"{label} {size} b{batch}", error)
                continue
            network_height, network_width = results[-1][1]
            measurement = Measurement("baseline", model, size, precision, "eager", batch,
                                      f"{network_width}x{network_height}", peak_memory_mib=memory, first_call_s=first)
            self.record(summarise(measurement, [timings for timings, _ in results], walls))
        del plain
        release(device)

    def ours(self, model: str, precision: str, variant: str, points: list[tuple[str, int]] | None = None) -> None:
        """Our path for ``points`` (size label, batch; default: all) of one model, precision and variant."""
        device = self.settings.device
        label = f"ours {model} {precision} {variant}"
        compiles = variant.startswith("compiled")
        if not self.affordable(label, 10.0):
            return
        if compiles and self.compile_broken:
            self.skipped.append(f"{label} (torch.compile failed earlier)")
            return
        spec = ModelSpec(backend="hf", model=str(self.folders[model]), device=device, precision=precision,
                         preprocess="device", **VARIANTS[variant])
        try:
            estimator = DepthEstimator(spec, LOGGER)
        except Exception as error:
            self.failed(label, error)
            return
        for size, batch in points or self.points():
            estimate = (self.compile_s or COMPILE_ESTIMATE_S) * 1.2 if compiles else 3.0
            if not self.affordable(f"{label} {size} b{batch}", estimate):
                continue
            images = self.images(size, batch)
            try:
                stages, walls, first, memory = time_calls(self.settings, device, stage_timings, estimator, images)
            except Exception as error:  # e.g. torch.compile without a working compiler, out of memory
                self.failed(f"{label} {size} b{batch}", error)
                if compiles:
                    self.compile_broken = True
                    break
                continue
            if compiles:
                self.compile_s = max(self.compile_s or 0.0, first)
            ran = estimator.backend.settings
            measurement = Measurement("ours", model, size, precision, variant, batch,
                                      network_input=_network_label(estimator, images), peak_memory_mib=memory,
                                      first_call_s=first, note=ran)
            if f" {variant}," not in ran:
                measurement.note = f"asked for {variant}, ran {ran}"
                measurement.variant = f"{variant} (fell back: {ran.split(',')[0].split()[-1]})"
            self.record(summarise(measurement, stages, walls))
        del estimator
        release(device)

    def fastdepth_cpu(self) -> None:
        if self.fastdepth is None:
            self.notes.append("FastDepth not measured: its ONNX file was not found (pass --fastdepth PATH).")
            return
        if not self.affordable("fastdepth", 5.0):
            return
        estimator = DepthEstimator(ModelSpec(backend="fastdepth", model=str(self.fastdepth), device="cpu"), LOGGER)
        for size, batch in self.points():
            if not self.affordable(f"fastdepth {size} b{batch}", 2.0):
                continue
            stages, walls, first, _ = time_calls(self.settings, "cpu", stage_timings, estimator,
                                                 self.images(size, batch))
            measurement = Measurement("fastdepth", "fastdepth", size, "fp32", "onnxruntime CPU EP", batch,
                                      "224x224", first_call_s=first, note=estimator.device)
            self.record(summarise(measurement, stages, walls))

    def record(self, measurement: Measurement) -> None:
        self.measurements.append(measurement)
        LOGGER.info("%s %s %s %s %s b%d: %.2f ms (%.1f fps)", measurement.system, measurement.model,
                    measurement.size, measurement.precision, measurement.variant, measurement.batch,
                    measurement.total_ms, measurement.fps)
        write_report(self)


def _network_label(estimator: DepthEstimator, images: np.ndarray) -> str:
    """'W x H' of the network input the device preprocessing gives these images."""
    on_device = estimator.backend._on_device
    if on_device is None:
        return ""
    height, width = on_device.resized_size(*images.shape[1:3])
    return f"{width}x{height}"


def release(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.empty_cache()


def acceptance_configuration(settings: Settings) -> dict:
    """The configuration the acceptance ratios are read at: the first model and size, fp16 (else the first
    precision), batch 1 (else the first batch); DA-V2-Small, 518x518, fp16, batch 1 in a default GPU run."""
    width, height = settings.sizes[0]
    return {"model": next(model for model in settings.models if model != "fastdepth"), "size": f"{width}x{height}",
            "precision": "fp16" if "fp16" in settings.precisions else settings.precisions[0],
            "batch": 1 if 1 in settings.batches else settings.batches[0]}


def plan(run: Run) -> None:
    """Every measurement, most important first: the acceptance configuration (baseline and every variant, the
    compiled one at that point only), FastDepth, the other precisions and models, then the compiled variants."""
    settings = run.settings
    models = [model for model in settings.models if model != "fastdepth"]
    if not models:
        run.fastdepth_cpu()
        return
    target = acceptance_configuration(settings)
    precisions = [target["precision"]] + [p for p in settings.precisions if p != target["precision"]]
    compiled = [variant for variant in settings.variants if variant.startswith("compiled")]
    fast = [variant for variant in settings.variants if variant not in compiled]
    for model in models:
        for precision in precisions:
            run.baseline(model, precision)
            for variant in fast:
                run.ours(model, precision, variant)
            if (model, precision) == (target["model"], target["precision"]):
                if "fastdepth" in settings.models:
                    run.fastdepth_cpu()
                for variant in compiled[:1]:
                    run.ours(model, precision, variant, [(target["size"], target["batch"])])
    for model in models:
        for precision in precisions:
            for variant in compiled:
                first = (model, precision, variant) == (target["model"], target["precision"], compiled[0])
                points = [point for point in run.points() if not first or point != (target["size"], target["batch"])]
                run.ours(model, precision, variant, points)


def acceptance(run: Run) -> dict:
    """End-to-end speed-up over the baseline and pipeline overhead at the acceptance configuration."""
    target = acceptance_configuration(run.settings)

    def matching(system: str, precision: str) -> list[Measurement]:
        return [m for m in run.measurements if m.system == system and m.model == target["model"]
                and m.size == target["size"] and m.precision == precision and m.batch == target["batch"]]

    baselines, ours = matching("baseline", target["precision"]), matching("ours", target["precision"])
    if not baselines or not ours:
        return {"configuration": target, "measured": False}
    baseline = baselines[0]
    best = min(ours, key=lambda m: m.total_ms)
    fp32 = matching("baseline", "fp32")
    return {
        "configuration": target, "measured": True, "baseline_total_ms": baseline.total_ms,
        "variants": {m.variant: {"total_ms": m.total_ms, "speedup": baseline.total_ms / m.total_ms,
                                 "overhead_percent": overhead(m)} for m in ours},
        "best_variant": best.variant, "speedup": baseline.total_ms / best.total_ms,
        "overhead_percent": overhead(best), "speedup_target": 3.0, "overhead_target_percent": 15.0,
        "speedup_vs_fp32_baseline": fp32[0].total_ms / best.total_ms if fp32 else None,
    }


def overhead(measurement: Measurement) -> float:
    """Everything but the network's forward pass, as % of the end-to-end time."""
    return 100.0 * (measurement.total_ms - measurement.stages_ms["inference"]) / measurement.total_ms


def machine(settings: Settings) -> dict:
    import onnxruntime

    info = {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "onnxruntime": onnxruntime.__version__,
            "opencv": cv2.__version__, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "device": settings.device}
    if settings.device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(settings.device)
        info["cuda"] = torch.version.cuda
    return info


def write_report(run: Run) -> None:
    settings = run.settings
    accepted = acceptance(run)
    report = {"machine": machine(settings), "settings": asdict(settings), "elapsed_s": run.elapsed(),
              "acceptance": accepted, "measurements": [asdict(m) for m in run.measurements],
              "skipped": run.skipped, "notes": run.notes}
    run.out.mkdir(parents=True, exist_ok=True)
    (run.out / "report.json").write_text(json.dumps(report, indent=1))
    (run.out / "report.md").write_text(markdown(report, run.measurements))


def markdown(report: dict, measurements: list[Measurement]) -> str:
    info, accepted = report["machine"], report["acceptance"]
    where = info.get("gpu", f"CPU ({info['cpus']} cores)")
    lines = [f"### Depth core vs plain PyTorch on {where} ({info['device']})", "",
             f"torch {info['torch']}" + (f" (CUDA {info['cuda']})" if "cuda" in info else "")
             + f", transformers {info['transformers']}, onnxruntime {info['onnxruntime']}, Python {info['python']};"
             f" load average at the end {', '.join(f'{v:.2f}' for v in info['load_average'])};"
             f" {report['elapsed_s']:.0f} s. Random-weight DA-V2-shaped models; medians of up to"
             f" {report['settings']['runs']} runs after {report['settings']['warmup']} warm-up calls;"
             " ms per batch.", ""]
    if accepted.get("measured"):
        target = accepted["configuration"]
        lines += [f"Acceptance ({target['model']}, {target['size']}, {target['precision']}, batch {target['batch']}; "
                  f"baseline = plain PyTorch {target['precision']}, same run):", "",
                  "| variant | end-to-end ms | speed-up vs baseline (target >= 3x) | overhead % (target < 15 %) |",
                  "|---|---:|---:|---:|",
                  f"| baseline | {accepted['baseline_total_ms']:.2f} | 1.00x | |"]
        for variant, values in accepted["variants"].items():
            lines.append(f"| {variant} | {values['total_ms']:.2f} | {values['speedup']:.2f}x | "
                         f"{values['overhead_percent']:.1f} |")
        if accepted["speedup_vs_fp32_baseline"] is not None:
            lines += ["", f"Best ({accepted['best_variant']}) against the fp32 baseline: "
                          f"{accepted['speedup_vs_fp32_baseline']:.2f}x."]
        lines.append("")
    baseline_ms = {(m.model, m.size, m.precision, m.batch): m.total_ms for m in measurements if m.system == "baseline"}
    lines += ["| system | model | input (network) | precision | variant | batch | preprocess | inference | "
              "postprocess | total | fps | vs baseline | overhead % | peak GPU MiB | first call s |",
              "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = {name: index for index, name in enumerate(report["settings"]["models"])}
    for m in sorted(measurements, key=lambda m: (order.get(m.model, 0), m.size, m.precision, m.batch,
                                                 m.system != "baseline")):
        reference = baseline_ms.get((m.model, m.size, m.precision, m.batch))
        ratio = f"{reference / m.total_ms:.2f}x" if reference and m.system == "ours" else ""
        memory = f"{m.peak_memory_mib:.0f}" if m.peak_memory_mib is not None else ""
        lines.append(f"| {m.system} | {m.model} | {m.size} ({m.network_input}) | {m.precision} | {m.variant} | "
                     f"{m.batch} | {m.stages_ms['preprocess']:.2f} | {m.stages_ms['inference']:.2f} | "
                     f"{m.stages_ms['postprocess']:.2f} | {m.total_ms:.2f} | {m.fps:.1f} | {ratio} | "
                     f"{overhead(m):.1f} | {memory} | {m.first_call_s:.1f} |")
    if report["skipped"]:
        lines += ["", "Not measured: " + "; ".join(report["skipped"]) + "."]
    for note in report["notes"]:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def parse_size(text: str) -> tuple[int, int]:
    width, height = (int(part) for part in text.lower().split("x"))
    return width, height


def parse_arguments(argv: list[str] | None) -> tuple[Settings, Path, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for report.md and report.json")
    parser.add_argument("--cpu-smoke", action="store_true",
                        help="small sizes on the CPU: 56x56 and 64x48 input, network side 56, fp32 and bf16, "
                             "batch 1 and 2, eager only, 2 runs")
    parser.add_argument("--device", default=None, help="torch device (default: cuda, or cpu with --cpu-smoke)")
    parser.add_argument("--models", nargs="+", choices=("small", "base", "fastdepth"), default=None)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=None, help="input sizes WIDTHxHEIGHT")
    parser.add_argument("--precisions", nargs="+", choices=("fp32", "fp16", "bf16"), default=None)
    parser.add_argument("--batches", nargs="+", type=int, default=None)
    parser.add_argument("--variants", nargs="+", choices=tuple(VARIANTS), default=None)
    parser.add_argument("--runs", type=int, default=None, help="timed runs per configuration")
    parser.add_argument("--warmup", type=int, default=None, help="untimed calls first (the first compiles/captures)")
    parser.add_argument("--budget-s", type=float, default=None, help="stop starting measurements after this")
    parser.add_argument("--fastdepth", type=Path, default=None,
                        help="FastDepth ONNX file (default: the model cache; skipped with a note when absent)")
    arguments = parser.parse_args(argv)
    smoke = arguments.cpu_smoke
    settings = Settings(
        device=arguments.device or ("cpu" if smoke else "cuda:0"),
        sizes=tuple(arguments.sizes or ([(56, 56), (64, 48)] if smoke else [(518, 518), (640, 480)])),
        network_side=56 if smoke else 518,
        precisions=tuple(arguments.precisions or (("fp32", "bf16") if smoke else ("fp16", "fp32", "bf16"))),
        batches=tuple(arguments.batches or ((1, 2) if smoke else (1, 4, 8))),
        variants=tuple(arguments.variants or (("eager",) if smoke else tuple(VARIANTS))),
        models=tuple(arguments.models or ("small", "base", "fastdepth")),
        warmup=arguments.warmup if arguments.warmup is not None else (1 if smoke else 5),
        runs=arguments.runs or (2 if smoke else 30),
        max_seconds_per_point=2.0 if not smoke else 1.0,
        budget_s=arguments.budget_s or (105.0 if smoke else 430.0))
    fastdepth = arguments.fastdepth
    if fastdepth is None:
        from monodepth_ros.core.depth.weights_cache import cache_dir

        fastdepth = cache_dir() / "fastdepth_7.onnx"
    return settings, arguments.out, fastdepth if fastdepth.is_file() else None


def main(argv: list[str] | None = None) -> int:
    settings, out, fastdepth = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    if settings.device.startswith("cuda") and not torch.cuda.is_available():
        print("bench_gpu: no CUDA device here; run with --cpu-smoke (or --device cpu)", file=sys.stderr)
        return 1
    run = Run(settings, out, fastdepth)
    with tempfile.TemporaryDirectory() as root:
        for model in settings.models:
            if model != "fastdepth":
                run.folders[model] = save_model(model, settings.network_side, Path(root))
        if settings.device == "cpu":
            run.notes.append("CPU run: fp16 is not measured (CPU torch runs it as fp32), CUDA graphs need CUDA, "
                             "and torch.compile is left out unless --variants asks for it (minutes per shape).")
        plan(run)
        write_report(run)
    print((out / "report.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
