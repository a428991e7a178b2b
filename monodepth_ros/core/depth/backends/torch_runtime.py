"""Running a torch network fast: arithmetic precision, page-locked uploads, and a forward pass that is eager,
``torch.compile``d, or a replayed CUDA graph per input shape."""
from __future__ import annotations

import logging
from collections import OrderedDict

import numpy as np
import torch

TORCH_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
MAX_CUDA_GRAPHS = 8
"""Input shapes whose captured graphs are kept; the oldest is dropped beyond this."""


def torch_dtype_for(precision: str, device: str, logger: logging.Logger) -> torch.dtype:
    """The dtype that runs ``precision`` ('fp32', 'fp16', 'bf16') on ``device``.

    fp16 runs on CUDA only; bf16 on CPUs and on CUDA devices that support it. Otherwise fp32, with a warning.
    """
    on_cuda = device.startswith("cuda")
    if precision == "fp16" and not on_cuda:
        logger.warning("fp16 ignored: half precision runs on CUDA only; using fp32 on %s", device)
        return torch.float32
    if precision == "bf16" and on_cuda and not torch.cuda.is_bf16_supported():
        logger.warning("bf16 ignored: %s does not support bfloat16; using fp32", device)
        return torch.float32
    return TORCH_DTYPES[precision]


def in_float32(outputs):
    """A transformers model output with its floating tensors in float32 (``outputs`` itself when they are)."""
    if outputs.predicted_depth.dtype == torch.float32:
        return outputs
    return type(outputs)(**{key: value.float() if torch.is_tensor(value) and value.is_floating_point() else value
                            for key, value in outputs.items()})


class HostToDevice:
    """Copies uint8 batches (N, H, W, 3) to ``device``: on CUDA through a reused page-locked host buffer
    (asynchronous upload); on the CPU the array is wrapped without a copy."""

    def __init__(self, device: str) -> None:
        self.device = torch.device(device)
        self._pinned: torch.Tensor | None = None
        self._uploaded: torch.cuda.Event | None = None

    def __call__(self, images: np.ndarray) -> torch.Tensor:
        """uint8 (N, H, W, 3) numpy -> uint8 tensor (N, H, W, 3) on the device."""
        if self.device.type != "cuda":
            return torch.from_numpy(images if images.flags.writeable else images.copy())
        if self._pinned is None or tuple(self._pinned.shape) != images.shape:
            self._pinned = torch.empty(images.shape, dtype=torch.uint8, pin_memory=True)
        elif self._uploaded is not None:
            self._uploaded.synchronize()  # the previous upload has read the buffer
        np.copyto(self._pinned.numpy(), images)
        on_device = self._pinned.to(self.device, non_blocking=True)
        self._uploaded = torch.cuda.Event()
        self._uploaded.record()
        return on_device


class NetworkRunner:
    """``model(pixel_values=...)``, eager, compiled with ``torch.compile``, or replayed from CUDA graphs.

    ``cuda_graphs`` captures one graph per input shape (CUDA only; ignored on the CPU with a warning). With
    ``torch_compile`` too, inductor's own CUDA graphs ('reduce-overhead' mode) are used instead. Call it inside
    ``torch.inference_mode()``; the outputs of a replayed graph are valid until the next call.
    """

    def __init__(self, model: torch.nn.Module, device: str, torch_compile: bool, cuda_graphs: bool,
                 logger: logging.Logger) -> None:
        self._model = model
        self._logger = logger
        if cuda_graphs and not device.startswith("cuda"):
            logger.warning("cuda_graphs ignored: CUDA graphs need a CUDA device, the model runs on %s", device)
            cuda_graphs = False
        self._forward = model
        self._mark_step = False
        if torch_compile:
            self._forward = torch.compile(model, mode="reduce-overhead" if cuda_graphs else None, dynamic=False)
            self._mark_step = cuda_graphs
            cuda_graphs = False
        self._graphs: OrderedDict[tuple, _CapturedForward] | None = OrderedDict() if cuda_graphs else None
        self._pool = torch.cuda.graph_pool_handle() if cuda_graphs else None

    @property
    def mode(self) -> str:
        """'eager', 'compiled', 'compiled+cuda_graphs' or 'cuda_graphs'."""
        if self._forward is not self._model:
            return "compiled+cuda_graphs" if self._mark_step else "compiled"
        return "eager" if self._graphs is None else "cuda_graphs"

    def __call__(self, pixel_values: torch.Tensor):
        if self._mark_step:
            torch.compiler.cudagraph_mark_step_begin()
        if self._graphs is None:
            return self._forward(pixel_values=pixel_values)
        key = (tuple(pixel_values.shape), pixel_values.dtype, pixel_values.stride())
        captured = self._graphs.get(key)
        if captured is None:
            try:
                captured = _CapturedForward(self._model, pixel_values, self._pool)
            except RuntimeError as error:
                self._logger.warning("cuda_graphs off: capturing the network failed (%s); running it eagerly",
                                     str(error).splitlines()[0])
                self._graphs = None
                return self._model(pixel_values=pixel_values)
            self._graphs[key] = captured
            if len(self._graphs) > MAX_CUDA_GRAPHS:
                self._graphs.popitem(last=False)
        return captured.replay(pixel_values)


class _CapturedForward:
    """One CUDA graph of ``model(pixel_values=...)`` for one input shape, with its static input and outputs."""

    def __init__(self, model: torch.nn.Module, example: torch.Tensor, pool) -> None:
        self.input = example.clone()
        side = torch.cuda.Stream(device=example.device)
        side.wait_stream(torch.cuda.current_stream(example.device))
        with torch.cuda.stream(side):
            for _ in range(2):  # warm-up outside the graph, as capture requires
                model(pixel_values=self.input)
        torch.cuda.current_stream(example.device).wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph, pool=pool):
            self.outputs = model(pixel_values=self.input)

    def replay(self, pixel_values: torch.Tensor):
        self.input.copy_(pixel_values)
        self.graph.replay()
        return self.outputs
