"""Nodes that feed the pipeline: sim_scene_node (a synthetic camera and LiDAR) and the recorded and live video sources."""
