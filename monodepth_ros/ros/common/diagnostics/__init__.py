"""What a node tells about its health: /diagnostics, the problem log (start and end of each problem, repeats
rate-limited) and the bridge from Python logging to the ROS log."""
