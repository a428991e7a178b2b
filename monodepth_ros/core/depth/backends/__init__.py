"""Depth model backends, registered by name (registry.py): each turns uint8 RGB (N, H, W, 3) into raw maps
(N, H, W) at the input resolution (base.py). fastdepth (embedded, ONNX), onnx (any ONNX file), hf (transformers).
Shared by them: preprocessing on the model's device (device_preprocess.py), fast torch execution
(torch_runtime.py) and the metadata of exported ONNX files (onnx_metadata.py)."""
