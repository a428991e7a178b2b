"""Nodes that feed the pipeline: sim_scene_node (a synthetic camera and LiDAR) and video_source_node (video files,
image folders, webcams)."""
