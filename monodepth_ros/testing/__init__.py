"""Helpers for tests, benchmarks and the demo: node processes, the pipeline recorder, ONNX session recording
(not user tools)."""
