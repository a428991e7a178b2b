"""Compositing by depth: fog, subject isolation and virtual objects occluded by the scene."""
