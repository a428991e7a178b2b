"""What the nodes share: worker base, output demand, parameters (and the specs several nodes declare), QoS,
diagnostics, problem log, topic names, topic table rows; inputs/ holds subscriptions, camera_info pairing and
extrinsics."""
