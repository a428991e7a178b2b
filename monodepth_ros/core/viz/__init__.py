"""Depth maps as pictures: colour maps, scale bars, side-by-side panels."""
