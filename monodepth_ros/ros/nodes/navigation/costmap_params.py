"""Parameters and topics of costmap_node: frames, the costmap model (read-only, see CostmapConfig), inputs and
output rate."""
from __future__ import annotations

from monodepth_ros.core.costmap.config import GROUND_REMOVALS, CostmapConfig
from monodepth_ros.ros.common.parameters import (
    NodeParameters,
    ParameterSpec,
    ParameterTable,
    config_from_parameters,
    config_parameter,
    frame_check,
    pose7_check,
)
from monodepth_ros.ros.common.shared_parameters import DIAGNOSTICS_PERIOD, RELIABILITY
from monodepth_ros.ros.common.shared_parameters import AUTOSTART
from monodepth_ros.ros.common.topic_specs import TopicSpec

COSTMAP_DEFAULTS = CostmapConfig()
CAMERA_POSE_IN_BASE_DEFAULT = [0.1, 0.0, 0.5, -0.5, 0.5, -0.5, 0.5]
"""The sim's camera: optical frame 0.1 m ahead of and 0.5 m above base_link, looking along base x."""


def _costmap(name: str, description: str, **constraints) -> ParameterSpec:
    return config_parameter(COSTMAP_DEFAULTS, name, description, **constraints)


COSTMAP_NODE_PARAMETERS = NodeParameters((
    ParameterSpec("base_frame", "base_link", "Robot base frame (on the floor, z up); the costmap is published in "
                  "it, centred on the robot", read_only=True, check=frame_check("base_frame")),
    ParameterSpec("world_frame", "odom", "Frame the base moves in; its pose comes from tf2 or the odom topic and "
                  "shifts the remembered evidence as the robot moves. Empty: the window stays fixed at the base",
                  read_only=True),
    ParameterSpec("camera_frame", "camera_optical_frame", "Frame that camera_pose_in_base refers to; clouds "
                  "given in base_frame are taken as seen from its origin", read_only=True,
                  check=frame_check("camera_frame")),
    ParameterSpec("camera_pose_in_base", CAMERA_POSE_IN_BASE_DEFAULT, "Pose of camera_frame in base_frame "
                  "[x, y, z, qx, qy, qz, qw] (metres); used when tf2 has no transform", read_only=True,
                  check=pose7_check("camera_pose_in_base")),
    ParameterSpec("pose_time_tolerance_s", 0.2, "Largest stamp difference between a cloud and the odometry "
                  "message that places it (seconds; odom topic only)", minimum=0.0, maximum=10.0),
    _costmap("resolution_m", "Cell edge (metres)", minimum=0.005, maximum=10.0),
    _costmap("size_m", "Side of the square window centred on the robot (metres)", minimum=0.1, maximum=1000.0),
    _costmap("min_obstacle_height_m", "Points lower than this above the floor are ground: they clear and never "
             "mark (metres)", minimum=0.0, maximum=100.0),
    _costmap("max_obstacle_height_m", "Points higher than this above the floor are ignored for marking; rays clear "
             "only below it (metres)", minimum=0.0, maximum=100.0),
    _costmap("ground_removal", "height: heights are base z; ransac: heights above a floor plane fitted per cloud",
             choices=GROUND_REMOVALS),
    _costmap("ransac_distance_m", "Largest distance of a floor point from the fitted plane (metres)",
             minimum=0.001, maximum=1.0),
    _costmap("ransac_iterations", "RANSAC iterations per plane", minimum=1, maximum=10000),
    _costmap("ransac_max_tilt_deg", "Fitted planes tilted more than this from base z are not the floor (degrees)",
             minimum=0.1, maximum=89.9),
    _costmap("ransac_max_floor_offset_m", "Fitted planes passing farther than this from the base origin are not "
             "the floor (metres)", minimum=0.0, maximum=10.0),
    _costmap("clearing_band_m", "Height of the evidence bands of each cell, from the floor up: a ray clears only "
             "the bands it crosses, so it does not clear a low obstacle it passes over (metres; >= "
             "max_obstacle_height_m: 2-D clearing)", minimum=0.01, maximum=100.0),
    _costmap("min_confidence", "Points and depth pixels whose depth/confidence is below this neither mark nor "
             "clear", minimum=0.0, maximum=1.0),
    _costmap("range_weight_m", "Hits of points farther than this weigh range_weight_m / range times their "
             "confidence (metres; 0 = confidence alone)", minimum=0.0, maximum=1000.0),
    _costmap("raytrace_clearing", "Clear the cells between the sensor and every point"),
    _costmap("raytrace_max_range_m", "Rays clear up to this distance from the sensor (metres)",
             minimum=0.01, maximum=1000.0),
    _costmap("obstacle_max_range_m", "Points farther than this from the sensor do not mark (metres)",
             minimum=0.01, maximum=1000.0),
    _costmap("obstacle_min_range_m", "Points nearer than this to the sensor neither mark nor clear: the (0, 0, 0) "
             "'no return' of many drivers, the robot's own body (metres)", minimum=0.0, maximum=100.0),
    _costmap("future_stamp_tolerance_s", "Clouds stamped more than this ahead of the node's clock (sim time with "
             "use_sim_time) are refused; when the clock goes back this far, decay restarts (seconds)",
             minimum=0.0, maximum=3600.0),
    _costmap("hit_probability", "Occupancy probability of a cell with one point in the height band",
             minimum=0.501, maximum=0.999),
    _costmap("miss_probability", "Occupancy probability of a cell a ray crosses once", minimum=0.001, maximum=0.499),
    _costmap("occupied_probability", "Cells at or above this probability are obstacles", minimum=0.501,
             maximum=0.999),
    _costmap("free_probability", "Cells at or below this probability are free; in between they are unknown",
             minimum=0.001, maximum=0.499),
    _costmap("min_probability", "Lower clamp of a cell's probability (how free a cell can get)",
             minimum=0.001, maximum=0.499),
    _costmap("max_probability", "Upper clamp of a cell's probability (how sure an obstacle can get)",
             minimum=0.501, maximum=0.999),
    _costmap("evidence_half_life_s", "Evidence fades towards unknown with this half-life in cloud stamp time "
             "(seconds; 0 = kept until contradicted)", minimum=0.0, maximum=1e6),
    _costmap("inscribed_radius_m", "Robot inscribed radius: cells this near an obstacle cost 253 (metres)",
             minimum=0.0, maximum=100.0),
    _costmap("inflation_radius_m", "Cells up to this far from an obstacle get an inflated cost (metres)",
             minimum=0.0, maximum=100.0),
    _costmap("cost_scaling_factor", "Exponential decay of the inflated cost with distance (1/metres, as Nav2)",
             minimum=0.0, maximum=1000.0),
    ParameterSpec("clear_from_depth", True, "Subscribe to depth/image and depth/camera_info and clear along the "
                  "rays of pixels without a reading (NaN, +inf) or beyond raytrace_max_range_m", read_only=True),
    ParameterSpec("clearing_decimation", 8, "Use every N-th depth pixel in both axes for clearing rays",
                  minimum=1, maximum=64),
    ParameterSpec("depth_time_tolerance_s", 0.1, "Largest stamp difference between a cloud and the depth image "
                  "whose invalid pixels clear with it, or the confidence image that weighs it (seconds)",
                  minimum=0.0, maximum=10.0),
    ParameterSpec("clearing_near_guard_m", 0.3, "A region of depth pixels without a reading whose bordering "
                  "readings are mostly nearer than this is taken as too near for the model and clears nothing "
                  "(metres; 0 = every such pixel clears)", minimum=0.0, maximum=100.0),
    ParameterSpec("publish_rate_hz", 5.0, "Largest rate of costmap messages; one is sent only after new clouds",
                  minimum=0.1, maximum=100.0, read_only=True),
    RELIABILITY,
    DIAGNOSTICS_PERIOD,
    AUTOSTART,
), renamed={"input_reliability": RELIABILITY.name})

COSTMAP_NODE_TOPICS = (
    TopicSpec("in", "points", "sensor_msgs/PointCloud2 with float `x`, `y`, `z`, any frame",
              "every cloud the node keeps up with is integrated"),
    TopicSpec("in", "odom", "nav_msgs/Odometry",
              "only when `world_frame` is set; used when tf2 has no pose; `header.frame_id` must be `world_frame` "
              "and `child_frame_id` `base_frame`; matched within `pose_time_tolerance_s`"),
    TopicSpec("in", "depth/image", "sensor_msgs/Image (`32FC1` m, `16UC1`/`mono16` mm)",
              "only with `clear_from_depth`; matched within `depth_time_tolerance_s` (launch files remap it to "
              "`depth/fused` with fusion)"),
    TopicSpec("in", "depth/camera_info", "sensor_msgs/CameraInfo",
              "for `clear_from_depth` and to look up `depth/confidence`"),
    TopicSpec("in", "depth/confidence", "sensor_msgs/Image `32FC1` (0..1, header of the depth image)",
              "optional; matched within `depth_time_tolerance_s`; each point weighs the confidence of the pixel it "
              "projects to (below `min_confidence`: it neither marks nor clears; pixels without a reading clear "
              "only with enough confidence); without it every point weighs 1"),
    TopicSpec("out", "costmap", "nav_msgs/OccupancyGrid",
              "latched (reliable, transient local, depth 1, as Nav2 publishes its costmaps); at most "
              "`publish_rate_hz`, only after new clouds"),
    TopicSpec("out", "/diagnostics", "diagnostic_msgs/DiagnosticArray",
              "`update_ms`, `lethal_cells`, `pose_source` (`tf2`, `odometry`, `none`), `extrinsics`, "
              "`confidence` (`none`, `topic`), `points`, `points_non_finite`, `obstacle_points`, `ground_points`, "
              "`unreliable_points`, `clearing_rays`, `hit_cells`, "
              "`missed_cells`, `ground_plane`"),
)


def costmap_config_from(table: ParameterTable) -> CostmapConfig:
    """The CostmapConfig the node's parameters describe; raises ValueError for inconsistent values."""
    return config_from_parameters(CostmapConfig, table)
