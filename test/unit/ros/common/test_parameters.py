"""Parameter tables: descriptors, ranges, validation of start-up values and updates, former names, shared specs."""
from __future__ import annotations

import pytest
from rclpy.parameter import Parameter

from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable
from monodepth_ros.ros.common.shared_parameters import CAMERA_INFO_TOLERANCE, DIAGNOSTICS_PERIOD, RELIABILITY
from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_PARAMETERS
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS, model_spec_from
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_PARAMETERS
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_PARAMETERS


@pytest.fixture
def node(ros_context):
    created = ros_context.create_node("parameter_table_test")
    yield created
    created.destroy_node()


def test_declared_parameters_carry_descriptions_and_ranges(node):
    ParameterTable(node, DEPTH_NODE_PARAMETERS)
    descriptor = node.describe_parameter("max_depth_m")
    assert "NaN" in descriptor.description
    assert descriptor.floating_point_range[0].from_value == 0.01
    assert node.describe_parameter("backend").read_only
    assert "fastdepth" in node.describe_parameter("backend").additional_constraints


def test_invalid_updates_are_rejected_with_a_reason_and_valid_ones_applied(node):
    table = ParameterTable(node, DEPTH_NODE_PARAMETERS)
    out_of_range = node.set_parameters([Parameter("max_depth_m", value=-5.0)])[0]
    assert not out_of_range.successful
    assert node.set_parameters([Parameter("max_depth_m", value=7.5)])[0].successful
    assert table["max_depth_m"] == 7.5


def test_choices_and_custom_checks_are_enforced(node):
    specs = (ParameterSpec("mode", "a", "a mode", choices=("a", "b")),
             ParameterSpec("sizes", [1, 2], "sizes", minimum=0, maximum=10),
             ParameterSpec("name", "ok", "checked", check=lambda v: None if v.islower() else "must be lower case"))
    ParameterTable(node, specs)
    result = node.set_parameters([Parameter("mode", value="c")])[0]
    assert not result.successful and "one of a, b" in result.reason
    result = node.set_parameters([Parameter("sizes", value=[1, 20])])[0]
    assert not result.successful and "[0, 10]" in result.reason
    result = node.set_parameters([Parameter("name", value="LOUD")])[0]
    assert not result.successful and result.reason == "must be lower case"
    assert node.set_parameters([Parameter("mode", value="b")])[0].successful


def test_invalid_start_up_values_stop_the_node_with_a_message(ros_context):
    node = ros_context.create_node("bad_start", parameter_overrides=[Parameter("device", value="gpu7")])
    try:
        with pytest.raises(ValueError, match="device must be"):
            ParameterTable(node, DEPTH_NODE_PARAMETERS)
    finally:
        node.destroy_node()


def test_model_spec_follows_the_parameters(ros_context):
    node = ros_context.create_node("spec", parameter_overrides=[
        Parameter("backend", value="onnx"), Parameter("input_size", value=[240, 320]),
        Parameter("output", value="relative_inverse_depth")])
    try:
        spec = model_spec_from(ParameterTable(node, DEPTH_NODE_PARAMETERS))
    finally:
        node.destroy_node()
    assert (spec.backend, spec.input_size, spec.output) == ("onnx", (240, 320), "relative_inverse_depth")


def _table_with(ros_context, specs, name: str, **overrides):
    """(node, ParameterTable) of ``specs`` on a new node started with ``overrides``."""
    node = ros_context.create_node(name, parameter_overrides=[Parameter(key, value=value)
                                                              for key, value in overrides.items()])
    return node, ParameterTable(node, specs)


def _warnings(captured: str, former: str) -> list[str]:
    return [line for line in captured.splitlines() if f"parameter {former} is deprecated" in line]


def test_a_former_name_sets_its_replacement_with_one_warning(ros_context, capfd):
    node, table = _table_with(ros_context, DEPTH_NODE_PARAMETERS, "former_name", image_reliability="reliable")
    try:
        assert table["reliability"] == "reliable"
        assert not node.has_parameter("image_reliability"), "former names are not declared"
    finally:
        node.destroy_node()
    warnings = _warnings(capfd.readouterr().err, "image_reliability")
    assert len(warnings) == 1 and "use reliability" in warnings[0]


def test_the_current_name_wins_over_a_former_one_with_a_warning(ros_context, capfd):
    node, table = _table_with(ros_context, POINTCLOUD_NODE_PARAMETERS, "both_names", max_range_m=5.0,
                              max_depth_m=7.0)
    try:
        assert table["max_depth_m"] == 7.0
    finally:
        node.destroy_node()
    warnings = _warnings(capfd.readouterr().err, "max_range_m")
    assert len(warnings) == 1 and "ignored" in warnings[0] and "max_depth_m" in warnings[0]


def test_former_names_reach_the_node_from_a_parameters_file_and_from_p(ros_context, tmp_path):
    params_file = tmp_path / "old.yaml"
    params_file.write_text("/**:\n  ros__parameters:\n    min_range_m: 0.5\n    input_reliability: best_effort\n")
    node = ros_context.create_node("former_from_file", cli_args=["--ros-args", "--params-file", str(params_file),
                                                                 "-p", "max_range_m:=9"])
    try:
        table = ParameterTable(node, POINTCLOUD_NODE_PARAMETERS)
        assert (table["min_depth_m"], table["max_depth_m"]) == (0.5, 9.0), "an integer is taken as a double"
        assert table["reliability"] == "auto", "input_reliability is not a former name of pointcloud_node's"
        assert node.set_parameters([Parameter("max_depth_m", value=3.5)])[0].successful
    finally:
        node.destroy_node()


def test_a_former_name_with_a_value_of_the_wrong_type_stops_the_node(ros_context):
    node = ros_context.create_node("former_wrong_type", parameter_overrides=[Parameter("min_range_m", value="far")])
    try:
        with pytest.raises(ValueError, match="min_range_m \\(now min_depth_m\\) must be of type double"):
            ParameterTable(node, POINTCLOUD_NODE_PARAMETERS)
    finally:
        node.destroy_node()


@pytest.mark.parametrize("table", [DEPTH_NODE_PARAMETERS, FUSION_NODE_PARAMETERS, POINTCLOUD_NODE_PARAMETERS,
                                   COSTMAP_NODE_PARAMETERS], ids=["depth", "fusion", "pointcloud", "costmap"])
def test_shared_parameters_are_declared_from_one_spec(table):
    shared = {spec.name: spec for spec in (RELIABILITY, CAMERA_INFO_TOLERANCE, DIAGNOSTICS_PERIOD)}
    for spec in table:
        if spec.name in shared:
            assert spec is shared[spec.name], spec.name
    assert RELIABILITY in tuple(table) and DIAGNOSTICS_PERIOD in tuple(table)


@pytest.mark.parametrize("table", [DEPTH_NODE_PARAMETERS, FUSION_NODE_PARAMETERS, POINTCLOUD_NODE_PARAMETERS],
                         ids=["depth", "fusion", "pointcloud"])
def test_a_depth_range_whose_minimum_is_not_below_its_maximum_stops_the_node(ros_context, table):
    node = ros_context.create_node("bad_range", parameter_overrides=[Parameter("min_depth_m", value=5.0),
                                                                     Parameter("max_depth_m", value=5.0)])
    try:
        with pytest.raises(ValueError, match=r"min_depth_m \(5.0\) must be below max_depth_m \(5.0\)"):
            ParameterTable(node, table)
    finally:
        node.destroy_node()


def test_an_update_that_breaks_a_relation_is_refused_and_one_that_keeps_it_applied(ros_context):
    node, _ = _table_with(ros_context, POINTCLOUD_NODE_PARAMETERS, "range_update")
    try:
        result = node.set_parameters([Parameter("min_depth_m", value=30.0)])[0]
        assert not result.successful and "must be below max_depth_m" in result.reason
        assert node.set_parameters_atomically([Parameter("max_depth_m", value=50.0),
                                               Parameter("min_depth_m", value=30.0)]).successful
    finally:
        node.destroy_node()


@pytest.mark.parametrize("pose", [[float("nan"), 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
                                  [0.0, float("inf"), 0.0, 0.0, 0.0, 0.0, 1.0]], ids=["nan", "inf"])
def test_a_pose_with_a_non_finite_translation_stops_the_node(ros_context, pose):
    node = ros_context.create_node("bad_pose", parameter_overrides=[Parameter("lidar_pose_in_camera", value=pose)])
    try:
        with pytest.raises(ValueError, match="lidar_pose_in_camera: translation must be finite"):
            ParameterTable(node, FUSION_NODE_PARAMETERS)
    finally:
        node.destroy_node()


def test_an_empty_frame_name_stops_the_node(ros_context):
    node = ros_context.create_node("empty_frame", parameter_overrides=[Parameter("base_frame", value="")])
    try:
        with pytest.raises(ValueError, match="base_frame must be a frame name"):
            ParameterTable(node, COSTMAP_NODE_PARAMETERS)
    finally:
        node.destroy_node()


def test_a_misspelt_parameter_name_is_warned_about_once_naming_the_closest(ros_context, tmp_path, capfd):
    params_file = tmp_path / "typo.yaml"
    params_file.write_text("/**:\n  ros__parameters:\n    max_dpeth_m: 5.0\n")
    node = ros_context.create_node("typo", cli_args=["--ros-args", "--params-file", str(params_file)])
    try:
        ParameterTable(node, POINTCLOUD_NODE_PARAMETERS)
    finally:
        node.destroy_node()
    warnings = [line for line in capfd.readouterr().err.splitlines() if "unknown parameter" in line]
    assert len(warnings) == 1 and "max_dpeth_m is ignored; did you mean max_depth_m?" in warnings[0]
