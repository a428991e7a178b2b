"""Depth images to 3-D points in the camera optical frame, and point cloud filters."""
