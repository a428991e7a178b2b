"""Depth-aware preparation of frames for a video encoder: bits go to the subject."""
