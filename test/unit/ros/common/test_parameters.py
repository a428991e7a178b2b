"""Parameter tables: descriptors, ranges, validation of start-up values and updates."""
from __future__ import annotations

import pytest
from rclpy.parameter import Parameter

from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable
from monodepth_ros.ros.nodes.depth_params import DEPTH_NODE_PARAMETERS, model_spec_from


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
