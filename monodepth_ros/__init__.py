"""Metric monocular depth, LiDAR scale fusion, point clouds and costmaps for ROS 2."""
