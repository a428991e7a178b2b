"""Temporal consistency of depth video: an online, causal per-stream stabiliser."""
