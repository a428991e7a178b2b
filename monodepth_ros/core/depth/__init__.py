"""Depth models: what to run (ModelSpec), running it (DepthEstimator, backends/), post-processing, weights."""
