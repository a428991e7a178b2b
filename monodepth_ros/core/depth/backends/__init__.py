"""Depth model backends: each turns an RGB image into a raw output map."""
