"""Effect parameters: frozen dataclasses whose fields carry their meaning, unit and accepted values.

One description serves the pure effect functions (validation in ``__post_init__``), the command line (one flag
per field) and the ROS node (one parameter per field).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OptionInfo:
    """What a parameter field means and which values it accepts."""

    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    implies: tuple[str, Any] | None = None
    """(field, value): setting this option on the command line also sets that field, unless it is given too
    (e.g. ``--focus-m`` implies ``--focus distance``)."""
    length: int = 0
    """For tuple fields: the number of values (0 = any number)."""


def option(default: Any, help: str, minimum: float | None = None, maximum: float | None = None,
           choices: tuple[str, ...] = (), implies: tuple[str, Any] | None = None) -> Any:
    """A dataclass field with ``OptionInfo`` metadata; tuples keep their length unless it is 0."""
    length = len(default) if isinstance(default, tuple) else 0
    info = OptionInfo(help, minimum, maximum, tuple(choices), implies, length)
    return dataclasses.field(default=default, metadata={"option": info})


@dataclass(frozen=True)
class OptionField:
    """One field of a parameter dataclass with its metadata."""

    name: str
    default: Any
    info: OptionInfo

    @property
    def kind(self) -> type:
        """bool, int, float, str, or tuple (of int or float, see ``item_kind``)."""
        return tuple if isinstance(self.default, tuple) else type(self.default)

    @property
    def item_kind(self) -> type:
        """For tuple fields: int when the default holds only ints (and is not empty), else float."""
        items = self.default if isinstance(self.default, tuple) else ()
        return int if items and all(isinstance(item, int) for item in items) else float


def option_fields(parameters_type: type) -> tuple[OptionField, ...]:
    """The option fields of a parameter dataclass, in declaration order."""
    return tuple(OptionField(field.name, field.default, field.metadata["option"])
                 for field in dataclasses.fields(parameters_type) if "option" in field.metadata)


def option_error(field: OptionField, value: Any) -> str | None:
    """Why ``value`` is not acceptable for ``field``, or None."""
    kind = field.kind
    if kind is tuple:
        if not isinstance(value, (tuple, list)):
            return f"{field.name} must be a list of numbers, got {value!r}"
        if field.info.length and len(value) != field.info.length:
            return f"{field.name} takes {field.info.length} values, got {len(value)}"
        values = list(value)
        if any(isinstance(item, bool) or not isinstance(item, (int, float)) for item in values):
            return f"{field.name} must hold numbers, got {value!r}"
    elif kind is bool:
        if not isinstance(value, bool):
            return f"{field.name} must be true or false, got {value!r}"
        return None
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{field.name} must be a number, got {value!r}"
        values = [value]
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{field.name} must be an integer, got {value!r}"
        values = [value]
    else:
        if not isinstance(value, str):
            return f"{field.name} must be text, got {value!r}"
        if field.info.choices and value not in field.info.choices:
            return f"{field.name} must be one of {', '.join(field.info.choices)}, got {value!r}"
        return None
    low, high = field.info.minimum, field.info.maximum
    for item in values:
        if item != item or item in (float("inf"), float("-inf")):
            return f"{field.name} must be finite, got {value!r}"
        if (low is not None and item < low) or (high is not None and item > high):
            return f"{field.name} must lie in [{low:g}, {high:g}], got {value!r}"
    return None


def check_options(parameters: Any) -> None:
    """Raise ValueError naming the first field of ``parameters`` whose value is out of its range or choices."""
    for field in option_fields(type(parameters)):
        error = option_error(field, getattr(parameters, field.name))
        if error:
            raise ValueError(error)


def with_options(parameters: Any, values: dict[str, Any]) -> Any:
    """A copy of the dataclass instance ``parameters`` with ``values`` (field name -> value) set and validated.

    Lists become tuples and ints become floats where the field is a float; unknown names raise ValueError."""
    fields = {field.name: field for field in option_fields(type(parameters))}
    converted = {}
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            raise ValueError(f"unknown parameter {name!r}; known: {', '.join(fields)}")
        if field.kind is tuple and isinstance(value, (list, tuple)):
            value = tuple(float(item) if field.item_kind is float and isinstance(item, int) and
                          not isinstance(item, bool) else item for item in value)
        elif field.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        error = option_error(field, value)
        if error:
            raise ValueError(error)
        converted[name] = value
    return dataclasses.replace(parameters, **converted)
