"""Nodes that turn depth into pictures and sound for people: depth_effects_node."""
