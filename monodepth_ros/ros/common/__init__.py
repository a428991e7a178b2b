"""What the nodes share: worker base, parameters, QoS, subscriptions, diagnostics, problem log, topic names."""
