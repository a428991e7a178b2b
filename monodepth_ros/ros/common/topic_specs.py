"""The rows of a node's topic table (docs/nodes.md is generated from them with the parameter tables)."""
from __future__ import annotations

from dataclasses import dataclass

DIRECTIONS = ("in", "out")


@dataclass(frozen=True)
class TopicSpec:
    """One topic a node subscribes to (``in``) or publishes (``out``); ``notes`` is Markdown."""

    direction: str
    name: str
    type: str
    notes: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {self.direction!r}")
