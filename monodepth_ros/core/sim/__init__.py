"""A synthetic camera + LiDAR scene with ground truth, ray cast with Open3D."""
