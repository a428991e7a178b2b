"""Helpers for tests, benchmarks and the demo: node processes and the pipeline recorder (not user tools)."""
