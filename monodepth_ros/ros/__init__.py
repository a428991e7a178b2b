"""ROS 2 side: thin nodes over the core.

nodes/        one node per file, each with its parameter table in <node>_params.py (nodes never import each other)
conversions/  message <-> numpy, one module per message family, one ConversionError
common/       what every node shares: worker base, parameters, QoS, subscriptions, camera_info input, extrinsics,
              diagnostics, problem log, shared topic names, DDS profile, share files
runners/      starting nodes: one per process, or the whole pipeline in one process"""
