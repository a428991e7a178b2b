"""The nodes: one per module, its parameter table beside it in <node>_params.py."""
