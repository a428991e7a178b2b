"""Volumetric video: per-frame coloured point clouds and triangle meshes from depth, in metres in the camera
optical frame, written as PLY with a frame list."""
