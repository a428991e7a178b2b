"""Depth models: what to run (ModelSpec), running it batch-first (DepthEstimator, backends/), post-processing,
weights, device selection."""
