"""ROS 2 nodes and the message <-> numpy conversions they share."""
