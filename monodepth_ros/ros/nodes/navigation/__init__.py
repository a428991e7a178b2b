"""Nodes that turn depth into navigation inputs: pointcloud_node (PointCloud2) and costmap_node (OccupancyGrid)."""
