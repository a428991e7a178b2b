"""Rolling obstacle costmap from 3-D points with Nav2 cost values (see rolling_costmap for the model)."""
