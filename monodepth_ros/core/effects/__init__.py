"""Depth effects on images and video, registered by name (registry.py).

Subpackages by kind: ``lens/`` (bokeh, rack focus), ``views/`` (warp, parallax, stereo), ``compositing/`` (fog,
isolation, AR insertion), ``encoding/`` (depth-aware compression). Shared here: parameter options, scene
statistics, colour, animation and the animator.
"""
