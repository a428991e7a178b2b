"""Camera geometry: pinhole intrinsics, rigid transforms (REP 103), projection of points into images."""
