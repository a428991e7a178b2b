"""Nodes that estimate depth: depth_node (image -> metric depth) and lidar_fusion_node (sparse LiDAR or the ground
plane -> scale-corrected depth)."""
