"""What the nodes share: worker base, parameters (and the specs several nodes declare), QoS, subscriptions,
diagnostics, problem log, topic names, topic table rows."""
