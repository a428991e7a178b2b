"""Runtime helpers of the processing loop: newest-item worker, stamp matching, rate and latency statistics."""
