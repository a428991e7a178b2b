"""Starting nodes: one node per process (node_runner) or the whole pipeline in one process (pipeline_runner)."""
