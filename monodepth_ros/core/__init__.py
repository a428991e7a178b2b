"""ROS-free core: numpy arrays in, numpy arrays out."""
