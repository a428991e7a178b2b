"""New views synthesised from one image and its depth: the forward warp, 3D-photo parallax and stereo pairs."""
