"""monodepth-batch: monodepth-bag and monodepth-video work over many files as Ray tasks."""
