"""Simulated lenses: depth of field (bokeh) and focus pulled between distances over time (rack focus)."""
