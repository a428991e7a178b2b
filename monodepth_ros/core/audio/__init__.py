"""Audio analysis that drives effects: beat and onset tracking, beat envelopes per video frame."""
