"""ROS-free core: numpy (and torch) arrays in, arrays out. Never imports rclpy, message packages or
monodepth_ros.ros (test/unit/test_architecture.py enforces it).

camera/     pinhole intrinsics, rigid transforms, projection of 3-D points into images
depth/      depth models: ModelSpec, DepthEstimator, post-processing, weights cache, device selection, backends/
fusion/     LiDAR scale fusion: global fit, local correction, scale smoother, their settings
pointcloud/ depth image -> 3-D points, point cloud filters
costmap/    rolling obstacle costmap: Nav2 cost values, grid, ray tracing, ground, inflation
sim/        the synthetic camera + LiDAR scene used by the demo, tests and benchmarks
eval/       accuracy metrics, evaluation datasets, simulated sparse LiDAR sampling
viz/        depth as colour images, scale bars, panels
runtime/    newest-item worker, stamp matching, rate and latency statistics
temporal/   temporal consistency of depth video (online, per stream)
sources/    image sources: video files, image folders, webcams
effects/    depth effects on images and video, registered by name
audio/      beat and onset tracking that drives effects"""
