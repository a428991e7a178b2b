"""Depth effects on images and video (bokeh, fog, parallax, stereo, isolation), registered by name."""
