"""Declared, described and validated node parameters from one table per node."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping, TypeVar

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
    """Extra validation: returns an error message, or None when the value is fine. A ``Check`` also says in
    words what it enforces (shown by ``ros2 param describe`` and in docs/nodes.md)."""

    def descriptor(self) -> ParameterDescriptor:
        constraints = []
        if self.choices:
            constraints.append("one of: " + ", ".join(self.choices))
        if isinstance(self.check, Check):
            constraints.append(self.check.summary)
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


@dataclass(frozen=True)
class Check:
    """A validator (value -> error message or None) with a short summary of what it enforces."""

    summary: str
    function: Callable[[Any], str | None]

    def __call__(self, value: Any) -> str | None:
        return self.function(value)


@dataclass(frozen=True)
class Relation:
    """A rule between several parameters: ``function`` takes their values by name and returns an error message,
    or None when they fit together; ``summary`` says it in words (docs/nodes.md, ``ros2 param describe``)."""

    names: tuple[str, ...]
    summary: str
    function: Callable[[Mapping[str, Any]], str | None]

    def __call__(self, values: Mapping[str, Any]) -> str | None:
        return self.function(values)


def below(lower: str, upper: str) -> Relation:
    """The relation ``lower`` < ``upper`` (e.g. a depth range)."""
    return Relation((lower, upper), f"{lower} < {upper}", lambda values: None if values[lower] < values[upper] else
                    f"{lower} ({values[lower]}) must be below {upper} ({values[upper]})")


class NodeParameters(tuple):
    """One node's parameter table: a tuple of its specs that also knows the former parameter names still
    accepted at start-up and the rules between parameters. ``renamed`` maps a former name to the name of the spec
    that replaces it; ``relations`` are checked at start-up and on every update."""

    renamed: Mapping[str, str]
    relations: tuple[Relation, ...]

    def __new__(cls, specs: tuple[ParameterSpec, ...], renamed: Mapping[str, str] | None = None,
                relations: tuple[Relation, ...] = ()) -> NodeParameters:
        table = super().__new__(cls, specs)
        names = [spec.name for spec in table]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"parameters declared twice: {', '.join(repeated)}")
        table.renamed = dict(renamed or {})
        for former, name in table.renamed.items():
            if name not in names or former in names:
                raise ValueError(f"renamed parameter {former} -> {name}: {name} must be in the table, {former} not")
        table.relations = tuple(relations)
        for relation in table.relations:
            unknown = [name for name in relation.names if name not in names]
            if unknown:
                raise ValueError(f"relation {relation.summary!r} names parameters not in the table: {unknown}")
        return table

    def relations_of(self, name: str) -> list[Relation]:
        """The relations that involve parameter ``name``."""
        return [relation for relation in self.relations if name in relation.names]

    def former_names(self, name: str) -> list[str]:
        """The former names of parameter ``name`` (empty when it was never renamed)."""
        return [former for former, current in self.renamed.items() if current == name]


class ParameterTable:
    """Declares a node's parameters from its table and rejects invalid updates with a reason.

    A value given at start-up (parameters file or ``-p``) under a former name of a ``NodeParameters`` table is
    taken for its replacement unless that is given too; either way one deprecation warning names the
    replacement. Former names are not declared: ``ros2 param set`` knows only the current ones. A name given at
    start-up that the node does not know (a misspelling) gets one warning naming the closest known name. The
    table's relations are checked at start-up (ValueError) and on updates (refused with the reason).
    """

    def __init__(self, node: Node, specs: tuple[ParameterSpec, ...]) -> None:
        self._node = node
        self._specs = {spec.name: spec for spec in specs}
        self._table = specs if isinstance(specs, NodeParameters) else NodeParameters(specs)
        for spec in specs:
            default = spec.default
            for former in self._table.former_names(spec.name):
                default = self._value_under_former_name(former, spec, default)
            node.declare_parameter(spec.name, default, spec.descriptor())
            error = spec.validate(node.get_parameter(spec.name).value)
            if error:
                raise ValueError(f"invalid parameter: {error}")
        current = {name: self[name] for name in self._specs}
        for relation in self._table.relations:
            error = relation(current)
            if error:
                raise ValueError(f"invalid parameters: {error}")
        self._warn_about_unknown_names()
        node.add_on_set_parameters_callback(self._on_set)

    def _warn_about_unknown_names(self) -> None:
        """One warning per start-up parameter that is neither declared nor a former name, naming the closest."""
        known = [*self._specs, *self._table.renamed]
        for name in getattr(self._node, "_parameter_overrides", {}):
            if name in known or self._node.has_parameter(name) or name.startswith("qos_overrides."):
                continue
            closest = difflib.get_close_matches(name, self._specs, n=1, cutoff=0.6)
            hint = f"; did you mean {closest[0]}?" if closest else ""
            self._node.get_logger().warning(f"unknown parameter {name} is ignored{hint}")

    def _value_under_former_name(self, former: str, spec: ParameterSpec, default: Any) -> Any:
        """The default to declare ``spec`` with: the value given under ``former`` (warned about), else ``default``."""
        value = self._given_value(former)
        if value is None:
            return default
        logger = self._node.get_logger()
        if self._given_value(spec.name) is not None:
            logger.warning(f"parameter {former} is deprecated and ignored: {spec.name}, which replaces it, is set "
                           f"too; remove {former}")
            return default
        logger.warning(f"parameter {former} is deprecated and will be removed in the next release: use {spec.name} "
                       f"(taking {former}={value!r} as {spec.name})")
        return _typed_like(spec.default, value, f"{former} (now {spec.name})")

    def _given_value(self, name: str) -> Any:
        """The start-up value given for ``name`` (parameters file, -p, overrides), or None; declares nothing."""
        value = self._node.declare_parameter(name, None, ParameterDescriptor(dynamic_typing=True)).value
        self._node.undeclare_parameter(name)
        return value

    def __getitem__(self, name: str) -> Any:
        return self._node.get_parameter(name).value

    def _on_set(self, parameters: list[Parameter]) -> SetParametersResult:
        proposed = {name: self[name] for name in self._specs}
        for parameter in parameters:
            spec = self._specs.get(parameter.name)
            if spec is None:
                continue
            error = spec.validate(parameter.value)
            if error:
                return SetParametersResult(successful=False, reason=error)
            proposed[parameter.name] = parameter.value
        for relation in self._table.relations:
            if any(parameter.name in relation.names for parameter in parameters):
                error = relation(proposed)
                if error:
                    return SetParametersResult(successful=False, reason=error)
        return SetParametersResult(successful=True)


def _typed_like(default: Any, value: Any, label: str) -> Any:
    """``value`` as a parameter of ``default``'s type (an integer becomes a double where one is expected);
    raises ValueError when the types differ."""
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected = Parameter.Type.from_parameter_value(default)
    if Parameter.Type.from_parameter_value(value) is not expected:
        raise ValueError(f"invalid parameter: {label} must be of type {expected.name.lower()}, got {value!r}")
    return value


def frame_check(name: str) -> Check:
    """Validator for a tf2 frame name parameter: not empty, no whitespace."""
    return Check("a frame name: not empty, no spaces", lambda value: None if value and not any(
        character.isspace() for character in value) else f"{name} must be a frame name (not empty, no spaces), "
        f"got {value!r}")


def pose7_check(name: str) -> Check:
    """Validator for a [x, y, z, qx, qy, qz, qw] parameter (metres, non-zero quaternion)."""

    def check(values) -> str | None:
        try:
            transform_from_pose7(list(values))
        except ValueError as error:
            return f"{name}: {error}"
        return None

    return Check("pose7 [x, y, z, qx, qy, qz, qw], finite, quaternion non-zero", check)


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
