"""Nav2 cost values (nav2_costmap_2d cost_values.hpp) and their nav_msgs/OccupancyGrid translation.

Costs: FREE_SPACE 0, inflated 1..252, INSCRIBED_INFLATED_OBSTACLE 253, LETHAL_OBSTACLE 254, NO_INFORMATION 255.
Occupancy: nav2_costmap_2d's Costmap2DPublisher table: 0 -> 0, c in 1..252 -> 1 + (97 * (c - 1)) // 251 (1..98),
253 -> 99, 254 -> 100, 255 -> -1."""
from __future__ import annotations

import numpy as np

FREE_SPACE = 0
INSCRIBED_INFLATED_OBSTACLE = 253
LETHAL_OBSTACLE = 254
NO_INFORMATION = 255
OCCUPANCY_UNKNOWN = -1
OCCUPANCY_FREE = 0
OCCUPANCY_INSCRIBED = 99
OCCUPANCY_LETHAL = 100


def cost_translation_table() -> np.ndarray:
    """int8 (256,): OccupancyGrid value of each Nav2 cost, as nav2_costmap_2d's Costmap2DPublisher sets it."""
    costs = np.arange(256)
    table = 1 + (97 * (costs - 1)) // 251
    table[FREE_SPACE] = OCCUPANCY_FREE
    table[INSCRIBED_INFLATED_OBSTACLE] = OCCUPANCY_INSCRIBED
    table[LETHAL_OBSTACLE] = OCCUPANCY_LETHAL
    table[NO_INFORMATION] = OCCUPANCY_UNKNOWN
    return table.astype(np.int8)


COST_TO_OCCUPANCY = cost_translation_table()
