"""The nodes, one per module, each with its parameter table beside it in <node>_params.py, grouped by concern.

NODE_MODULES (executable name -> module) is read by setup.py for the console scripts and by the pipeline graph;
this file imports nothing.
"""
NODE_MODULES = {
    "depth_node": "monodepth_ros.ros.nodes.depth.depth_node",
    "lidar_fusion_node": "monodepth_ros.ros.nodes.depth.lidar_fusion_node",
    "pointcloud_node": "monodepth_ros.ros.nodes.navigation.pointcloud_node",
    "costmap_node": "monodepth_ros.ros.nodes.navigation.costmap_node",
    "sim_scene_node": "monodepth_ros.ros.nodes.sources.sim_scene_node",
    "video_source_node": "monodepth_ros.ros.nodes.sources.video_source_node",
    "depth_effects_node": "monodepth_ros.ros.nodes.media.depth_effects_node",
    "depth_sonification_node": "monodepth_ros.ros.nodes.media.depth_sonification_node",
}
