"""Image sources without ROS: video files, image folders and webcams, with timestamps."""
