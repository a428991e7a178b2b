"""Command-line tools that run the ROS-free core: evaluation against ground truth and data preparation."""
