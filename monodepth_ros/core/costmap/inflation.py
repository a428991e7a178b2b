"""Nav2 inflation of lethal cells (nav2_costmap_2d InflationLayer)."""
from __future__ import annotations

import cv2
import numpy as np

from monodepth_ros.core.costmap.config import CostmapConfig
from monodepth_ros.core.costmap.cost_values import INSCRIBED_INFLATED_OBSTACLE, NO_INFORMATION


def inflate(costs: np.ndarray, lethal: np.ndarray, config: CostmapConfig) -> None:
    """Raise ``costs`` (uint8 Nav2 costs, in place) around the ``lethal`` cells as nav2_costmap_2d's InflationLayer
    does (see the module docstring)."""
    distance_cells = cv2.distanceTransform(np.logical_not(lethal).astype(np.uint8), cv2.DIST_L2,
                                           cv2.DIST_MASK_PRECISE)
    distance_m = distance_cells.astype(np.float64) * config.resolution_m
    inflated_cells = (distance_m > 0.0) & (distance_m <= config.inflation_radius_m + 1e-9)
    distances = distance_m[inflated_cells]
    beyond_inscribed = np.maximum(distances - config.inscribed_radius_m, 0.0)
    decayed = ((INSCRIBED_INFLATED_OBSTACLE - 1) * np.exp(-config.cost_scaling_factor * beyond_inscribed))
    inflated = np.zeros_like(costs)
    inflated[inflated_cells] = np.where(distances <= config.inscribed_radius_m, INSCRIBED_INFLATED_OBSTACLE,
                                        decayed.astype(np.uint8))
    unknown = costs == NO_INFORMATION
    np.maximum(costs, inflated, out=costs)
    costs[unknown & (inflated == INSCRIBED_INFLATED_OBSTACLE)] = INSCRIBED_INFLATED_OBSTACLE
