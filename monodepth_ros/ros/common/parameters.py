"""Declared, described and validated node parameters from one table per node."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, TypeVar

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter

from monodepth_ros.core.camera.transforms import transform_from_pose7

Config = TypeVar("Config")


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter: its default (which fixes its type), meaning, and the values it accepts."""

    name: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    read_only: bool = False
    """True for settings fixed at start-up (e.g. the model); changing them needs a restart."""
    check: Callable[[Any], str | None] | None = None
    """Extra validation: returns an error message, or None when the value is fine."""

    def descriptor(self) -> ParameterDescriptor:
        constraints = []
        if self.choices:
            constraints.append("one of: " + ", ".join(self.choices))
        if self.read_only:
            constraints.append("read-only after start-up")
        descriptor = ParameterDescriptor(name=self.name, description=self.description,
                                         additional_constraints="; ".join(constraints),
                                         read_only=self.read_only)
        if self.minimum is not None and not isinstance(self.default, bool):
            if isinstance(self.default, int):
                descriptor.integer_range = [IntegerRange(from_value=int(self.minimum),
                                                         to_value=int(self.maximum), step=1)]
            elif isinstance(self.default, float):
                descriptor.floating_point_range = [FloatingPointRange(
                    from_value=float(self.minimum), to_value=float(self.maximum), step=0.0)]
        return descriptor

    def validate(self, value: Any) -> str | None:
        """Error message for ``value``, or None when it is acceptable."""
        values = value if isinstance(value, (list, tuple)) else [value]
        if self.choices and any(item not in self.choices for item in values):
            return f"{self.name} must be one of {', '.join(self.choices)}, got {value!r}"
        if self.minimum is not None and isinstance(self.default, (list, tuple)):
            if any(not self.minimum <= item <= self.maximum for item in values):
                return f"{self.name} values must lie in [{self.minimum}, {self.maximum}], got {value!r}"
        if self.check is not None:
            return self.check(value)
        return None


class ParameterTable:
    """Declares a node's parameters from its table and rejects invalid updates with a reason."""

    def __init__(self, node: Node, specs: tuple[ParameterSpec, ...]) -> None:
        self._node = node
        self._specs = {spec.name: spec for spec in specs}
        for spec in specs:
            node.declare_parameter(spec.name, spec.default, spec.descriptor())
            error = spec.validate(node.get_parameter(spec.name).value)
            if error:
                raise ValueError(f"invalid parameter: {error}")
        node.add_on_set_parameters_callback(self._on_set)

    def __getitem__(self, name: str) -> Any:
        return self._node.get_parameter(name).value

    def _on_set(self, parameters: list[Parameter]) -> SetParametersResult:
        for parameter in parameters:
            spec = self._specs.get(parameter.name)
            if spec is None:
                continue
            error = spec.validate(parameter.value)
            if error:
                return SetParametersResult(successful=False, reason=error)
        return SetParametersResult(successful=True)


def pose7_check(name: str) -> Callable[[Any], str | None]:
    """Validator for a [x, y, z, qx, qy, qz, qw] parameter (metres, non-zero quaternion)."""

    def check(values) -> str | None:
        try:
            transform_from_pose7(list(values))
        except ValueError as error:
            return f"{name}: {error}"
        return None

    return check


def config_parameter(defaults, name: str, description: str, **constraints) -> ParameterSpec:
    """A read-only parameter whose default is field ``name`` of the dataclass instance ``defaults``
    (tuples become lists, as parameters hold them)."""
    default = getattr(defaults, name)
    return ParameterSpec(name, list(default) if isinstance(default, tuple) else default, description,
                         read_only=True, **constraints)


def config_from_parameters(config_type: type[Config], table: ParameterTable) -> Config:
    """An instance of the dataclass ``config_type`` from the parameters named like its fields (lists become
    tuples where the field's default is a tuple); raises ValueError when the dataclass rejects the values."""
    defaults = config_type()
    values = {}
    for field in fields(config_type):
        value = table[field.name]
        values[field.name] = tuple(value) if isinstance(getattr(defaults, field.name), tuple) else value
    return config_type(**values)
