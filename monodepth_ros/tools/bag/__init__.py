"""Command-line tools for recorded bags: monodepth-bag (process), its play and sim commands."""
