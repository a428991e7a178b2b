"""Model options of the tools: one per ModelSpec field, named and defaulted like depth_node's parameters."""
from __future__ import annotations

import argparse
from dataclasses import fields

import pytest

from monodepth_ros.core.depth.model_spec import ModelSpec
from monodepth_ros.tools.model_arguments import HELP, add_model_arguments, model_spec_from_arguments, option_name


def parse(*argv: str) -> ModelSpec:
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return model_spec_from_arguments(parser.parse_args(list(argv)))


def test_every_model_spec_field_has_a_described_option():
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    options = {option for action in parser._actions for option in action.option_strings}
    for field in fields(ModelSpec):
        assert option_name(field.name) in options, field.name
        assert field.name in HELP, f"describe --{field.name} in model_arguments.HELP"


def test_no_options_give_the_default_model_spec():
    assert parse() == ModelSpec()


def test_every_option_sets_its_field():
    spec = parse("--backend", "onnx", "--model", "m.onnx", "--output", "relative_depth", "--device", "cpu",
                 "--fp16", "--precision", "fp16", "--preprocess", "device", "--channels-last", "--torch-compile",
                 "--cuda-graphs", "--input-size", "240", "320", "--mean", "0.485", "0.456", "0.406",
                 "--std", "0.229", "0.224", "0.225", "--canonical-focal-px", "500", "--output-scale", "0.001")
    assert spec == ModelSpec(backend="onnx", model="m.onnx", output="relative_depth", device="cpu", fp16=True,
                             precision="fp16", preprocess="device", channels_last=True, torch_compile=True,
                             cuda_graphs=True, input_size=(240, 320), mean=(0.485, 0.456, 0.406),
                             std=(0.229, 0.224, 0.225), canonical_focal_px=500.0, output_scale=0.001)
    differing = [field.name for field in fields(ModelSpec) if getattr(spec, field.name) == field.default]
    assert not differing, f"not covered by this test: {differing}"


@pytest.mark.parametrize("argv", [["--device", "gpu"], ["--backend", "tflite"], ["--mean", "0.5", "0.5"],
                                  ["--precision", "int8"], ["--preprocess", "gpu"]])
def test_malformed_options_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(*argv)
    assert stopped.value.code == 2


def test_values_the_model_spec_rejects_raise_value_error():
    with pytest.raises(ValueError, match="std must be positive"):
        parse("--std", "0.2", "0.0", "0.2")
    with pytest.raises(ValueError, match="fp16 is set but precision is 'bf16'"):
        parse("--fp16", "--precision", "bf16")
