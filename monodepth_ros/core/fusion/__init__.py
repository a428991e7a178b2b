"""LiDAR scale fusion: a robust global fit, a scale smoother across frames and an edge-aware local correction."""
