"""Evaluation against ground truth: metrics, datasets, simulated sparse LiDAR."""
