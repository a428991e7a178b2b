"""What the nodes share: worker base, output demand, parameters (and the specs several nodes declare), QoS,
topic names, topic table rows; inputs/ holds subscriptions, camera_info pairing and extrinsics; diagnostics/
holds /diagnostics, the problem log and the logging bridge."""
