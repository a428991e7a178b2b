"""Depth model backends, registered by name (registry.py): each turns uint8 RGB (N, H, W, 3) into raw maps
(N, H, W) at the input resolution (base.py). fastdepth (embedded, ONNX), onnx (any ONNX file), hf (transformers)."""
