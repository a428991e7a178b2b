"""Starting nodes: one node per process (node_runner) or the whole pipeline in one process (pipeline_runner),
whose nodes, names and remappings pipeline_graph describes for it and for the launch files."""
