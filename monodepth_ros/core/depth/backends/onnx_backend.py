"""Any ONNX depth model through ONNX Runtime (CPU, CUDA or TensorRT execution providers).

The model takes one image input (N, 3, h, w) and gives one depth output (N, [1,] h', w'). A fixed batch
dimension B in the file is filled B images at a time (FastDepth's B = 1 runs image by image); a dynamic one
takes the whole batch in one call. Two paths:

- host: OpenCV resizes and numpy normalises on the CPU; raw maps come back as float32 numpy (N, H, W).
- device (``preprocess`` 'device', or 'auto' when the session runs on CUDA / TensorRT and torch has CUDA): the
  uint8 batch is uploaded once, resized (OpenCV's INTER_AREA weights) and normalised with torch on the device,
  bound to the session with IO binding, and the output stays there: raw maps are a float32 torch tensor.

A file written by ``monodepth-export`` carries its input size, normalisation and output kind (onnx_metadata.py);
they apply where the spec leaves input_size, mean / std and output at their defaults.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from monodepth_ros.core.depth.backends.base import DepthBackend, RawBatch
from monodepth_ros.core.depth.backends.onnx_metadata import ExportMetadata
from monodepth_ros.core.depth.device import onnx_providers
from monodepth_ros.core.depth.model_spec import ModelSpec

GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")
DEFAULT_MEAN, DEFAULT_STD = ModelSpec().mean, ModelSpec().std


class OnnxBackend(DepthBackend):
    """Runs an ONNX model: RGB scaled to [0, 1], normalised by ``spec.mean`` / ``spec.std``, resized to its input."""

    def __init__(self, spec: ModelSpec, logger: logging.Logger, model_path: Path | None = None) -> None:
        import onnxruntime as ort

        path = Path(model_path or spec.model)
        if not path.is_file():
            raise FileNotFoundError(f"ONNX model file not found: '{path}'")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        precision = spec.requested_precision
        if precision == "bf16":
            logger.warning("bf16 ignored: the onnx backend runs fp32 (or fp16 TensorRT engines with precision fp16)")
        providers = onnx_providers(spec.device, precision == "fp16", ort.get_available_providers(), logger)
        self._session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        self.metadata = ExportMetadata.from_properties(self._session.get_modelmeta().custom_metadata_map)
        """What the file says about its preprocessing and output (files from monodepth-export); None otherwise."""
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        self._input_dtype = np.float16 if model_input.type == "tensor(float16)" else np.float32
        requested_size = spec.input_size
        mean, std = spec.mean, spec.std
        if self.metadata is not None:
            self.native_output = self.metadata.output
            requested_size = requested_size if any(requested_size) else self.metadata.input_size
            if (tuple(mean), tuple(std)) == (DEFAULT_MEAN, DEFAULT_STD):
                mean, std = self.metadata.mean, self.metadata.std
        self._input_hw = _input_size(model_input.shape, requested_size, path)
        batch_dim = model_input.shape[0] if model_input.shape else None
        self.fixed_batch: int | None = batch_dim if isinstance(batch_dim, int) and batch_dim > 0 else None
        """The model file's fixed batch size; None when the batch dimension is dynamic."""
        self._mean = np.asarray(mean, dtype=np.float32).reshape(1, 3, 1, 1)
        self._inv_std = 1.0 / np.asarray(std, dtype=np.float32).reshape(1, 3, 1, 1)
        self.output_resize = self.metadata.output_resize if self.metadata is not None else "bilinear"
        """How raw maps are brought to the image size: 'bilinear', or 'bicubic' where the metadata says so."""
        self.device = self._session.get_providers()[0]
        self._on_device = self._device_path(spec)
        self.preprocessing = "host" if self._on_device is None else "device"
        """Where images are resized and normalised: 'host' (OpenCV, numpy) or 'device' (torch, IO binding)."""
        kind = f" {self.metadata.model_type}" if self.metadata is not None and self.metadata.model_type else ""
        self.description = f"onnx:{path.name}{kind} {self._input_hw[1]}x{self._input_hw[0]}"

    def infer_batch(self, images: np.ndarray) -> RawBatch:
        """uint8 RGB (N, H, W, 3) -> float32 (N, H, W) in the model's units, resized to H x W: numpy on the host
        path, a torch tensor on the session's device on the device path."""
        if self._on_device is not None:
            return self._on_device.infer_batch(self._session, images)
        count, height, width = images.shape[:3]
        start = time.perf_counter()
        network_input = self._preprocess(images)
        prepared = time.perf_counter()
        output = self._run(network_input)
        inferred = time.perf_counter()
        maps = np.asarray(output, dtype=np.float32).reshape(count, *output.shape[-2:])
        if maps.shape[1:] != (height, width):
            resized = np.empty((count, height, width), dtype=np.float32)
            interpolation = cv2.INTER_CUBIC if self.output_resize == "bicubic" else cv2.INTER_LINEAR
            for depth, target in zip(maps, resized):
                cv2.resize(depth, (width, height), dst=target, interpolation=interpolation)
            maps = resized
        done = time.perf_counter()
        return RawBatch(maps, (prepared - start) * 1e3, (inferred - prepared) * 1e3, (done - inferred) * 1e3)

    def _preprocess(self, images: np.ndarray) -> np.ndarray:
        """uint8 (N, H, W, 3) -> (N, 3, h, w) in the model's input dtype (area-resized, normalised)."""
        height, width = self._input_hw
        if images.shape[1:3] != (height, width):
            images = np.stack([cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA) for rgb in images])
        nchw = images.transpose(0, 3, 1, 2).astype(np.float32) * np.float32(1.0 / 255.0)
        return ((nchw - self._mean) * self._inv_std).astype(self._input_dtype, copy=False)

    def _run(self, network_input: np.ndarray) -> np.ndarray:
        """The model's output for (N, 3, h, w): one call, or chunks of the fixed batch (the last one padded)."""
        if self.fixed_batch is None:
            return self._session.run(None, {self._input_name: network_input})[0]
        count, batch = len(network_input), self.fixed_batch
        if count % batch:
            padding = np.zeros((batch - count % batch, *network_input.shape[1:]), dtype=network_input.dtype)
            network_input = np.concatenate([network_input, padding])
        chunks = [self._session.run(None, {self._input_name: network_input[first:first + batch]})[0]
                  for first in range(0, len(network_input), batch)]
        return np.concatenate(chunks)[:count]

    def _device_path(self, spec: ModelSpec) -> _DevicePath | None:
        """The device path ``spec.preprocess`` asks for, or None for the host path; raises ValueError when
        'device' is asked for but torch cannot reach the session's device."""
        on_gpu = self.device in GPU_PROVIDERS
        if spec.preprocess == "host" or (spec.preprocess == "auto" and not on_gpu):
            return None
        try:
            import torch
        except ImportError:
            torch = None
        usable = torch is not None and (not on_gpu or torch.cuda.is_available())
        if not usable:
            if spec.preprocess == "device":
                raise ValueError(f"preprocess 'device' needs torch{' with CUDA' if on_gpu else ''} for the onnx "
                                 f"backend on {self.device}")
            return None
        device_id = int(self._session.get_provider_options().get(self.device, {}).get("device_id", 0))
        return _DevicePath(self, f"cuda:{device_id}" if on_gpu else "cpu")


class _DevicePath:
    """The onnx backend's device path: torch preprocessing on the session's device, IO binding of torch tensors
    (input and output never leave device memory), resize of the output there."""

    def __init__(self, backend: OnnxBackend, device: str) -> None:
        import torch

        from monodepth_ros.core.depth.backends.torch_runtime import HostToDevice

        self._backend = backend
        self._torch = torch
        self.device = torch.device(device)
        self._upload = HostToDevice(device)
        self._mean = torch.from_numpy(backend._mean).to(device)
        self._inv_std = torch.from_numpy(backend._inv_std).to(device)
        self._input_dtype = torch.float16 if backend._input_dtype == np.float16 else torch.float32
        model_output = backend._session.get_outputs()[0]
        self._output_name = model_output.name
        self._output_numpy_dtype = np.float16 if model_output.type == "tensor(float16)" else np.float32
        self._output_dtype = torch.float16 if self._output_numpy_dtype == np.float16 else torch.float32
        probe = np.zeros((backend.fixed_batch or 1, 3, *backend._input_hw), dtype=backend._input_dtype)
        self._output_tail = tuple(backend._session.run(None, {backend._input_name: probe})[0].shape[1:])
        self._resizes: dict[tuple[int, int], object] = {}

    def infer_batch(self, session, images: np.ndarray) -> RawBatch:
        torch = self._torch
        count, height, width = images.shape[:3]
        start = time.perf_counter()
        with torch.inference_mode():
            network_input = self._preprocess(images)
            self._synchronize()  # ONNX Runtime reads the input on its own stream
            prepared = time.perf_counter()
            output = self._run(session, network_input)
            inferred = time.perf_counter()
            maps = output.reshape(count, *output.shape[-2:]).float()
            if tuple(maps.shape[1:]) != (height, width):
                maps = torch.nn.functional.interpolate(maps[:, None], size=(height, width),
                                                       mode=self._backend.output_resize, align_corners=False)[:, 0]
            self._synchronize()
        done = time.perf_counter()
        return RawBatch(maps, (prepared - start) * 1e3, (inferred - prepared) * 1e3, (done - inferred) * 1e3)

    def _preprocess(self, images: np.ndarray):
        """uint8 (N, H, W, 3) -> contiguous (N, 3, h, w) in the model's input dtype on the device."""
        from monodepth_ros.core.depth.backends.device_preprocess import AreaResize, as_nchw_float

        values = as_nchw_float(self._upload(images))
        source_hw = tuple(values.shape[-2:])
        if source_hw != self._backend._input_hw:
            if source_hw not in self._resizes:
                self._resizes = {source_hw: AreaResize(source_hw, self._backend._input_hw, self.device)}
            values = self._resizes[source_hw](values)
        values = (values * (1.0 / 255.0) - self._mean) * self._inv_std
        return values.to(self._input_dtype).contiguous()

    def _run(self, session, network_input):
        """The output (N, *tail) for ``network_input`` (N, 3, h, w), in chunks of the fixed batch (last padded)."""
        torch = self._torch
        count = len(network_input)
        batch = self._backend.fixed_batch or count
        padded = -(-count // batch) * batch
        if padded != count:
            network_input = torch.cat([network_input, network_input.new_zeros(padded - count,
                                                                              *network_input.shape[1:])])
        output = torch.empty((padded, *self._output_tail), dtype=self._output_dtype, device=self.device)
        device_type, device_id = self.device.type, self.device.index or 0
        for first in range(0, padded, batch):
            chunk, target = network_input[first:first + batch], output[first:first + batch]
            binding = session.io_binding()
            binding.bind_input(self._backend._input_name, device_type, device_id, self._backend._input_dtype,
                               tuple(chunk.shape), chunk.data_ptr())
            binding.bind_output(self._output_name, device_type, device_id, self._output_numpy_dtype,
                                tuple(target.shape), target.data_ptr())
            session.run_with_iobinding(binding)
            binding.synchronize_outputs()
        return output[:count]

    def _synchronize(self) -> None:
        if self.device.type == "cuda":
            self._torch.cuda.synchronize(self.device)


def _input_size(shape: list, requested: tuple[int, int], path: Path) -> tuple[int, int]:
    """(height, width) fed to the model: the fixed size in the file, else the requested one."""
    fixed = [dim if isinstance(dim, int) and dim > 0 else 0 for dim in shape[-2:]]
    if all(fixed) and any(requested) and tuple(requested) != tuple(fixed):
        raise ValueError(f"{path.name} has a fixed input size {fixed[0]}x{fixed[1]} (h x w); "
                         f"input_size {requested[0]}x{requested[1]} cannot be used")
    if all(fixed):
        return fixed[0], fixed[1]
    if not all(requested):
        raise ValueError(f"{path.name} has a dynamic input size; set input_size (height, width)")
    return int(requested[0]), int(requested[1])
