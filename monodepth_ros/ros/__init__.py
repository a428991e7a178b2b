"""ROS 2 side: thin nodes over the core.

nodes/        one node per file, each with its parameter table in <node>_params.py (nodes never import each other)
conversions/  message <-> numpy, one module per message family, one ConversionError
common/       what every node shares: worker base, parameters (shared specs), QoS, subscriptions, camera_info
              input, extrinsics, diagnostics, problem log, shared topic names, topic table rows, DDS profile,
              share files
runners/      starting nodes: one per process, or the whole pipeline in one process; the pipeline graph (which
              nodes, names, remappings) that the runner and the launch files read"""
