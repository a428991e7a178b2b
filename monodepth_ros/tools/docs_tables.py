"""Regenerate the topic and parameter tables of docs/nodes.md from the nodes' tables (``*_params.py``).

Usage: python -m monodepth_ros.tools.docs_tables [--check] [PATH]   (or `make docs`)

In PATH (default: docs/nodes.md of this source tree) every block between ``<!-- generated: NODE topics -->`` or
``<!-- generated: NODE parameters -->`` and ``<!-- end generated -->`` is replaced by the table generated from
NODE's ``TopicSpec`` or ``ParameterSpec`` table; the text around the blocks is kept as written. ``--check`` only
reports whether the file is up to date (exit code 1 when it is not).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from monodepth_ros.ros.common.parameters import Check, NodeParameters, ParameterSpec
from monodepth_ros.ros.common.topic_specs import TopicSpec
from monodepth_ros.ros.nodes.navigation.costmap_params import COSTMAP_NODE_PARAMETERS, COSTMAP_NODE_TOPICS
from monodepth_ros.ros.nodes.media.depth_effects_params import DEPTH_EFFECTS_NODE_PARAMETERS, DEPTH_EFFECTS_NODE_TOPICS
from monodepth_ros.ros.nodes.media.depth_sonification_params import (DEPTH_SONIFICATION_NODE_PARAMETERS,
                                                                     DEPTH_SONIFICATION_NODE_TOPICS)
from monodepth_ros.ros.nodes.depth.depth_params import DEPTH_NODE_PARAMETERS, DEPTH_NODE_TOPICS
from monodepth_ros.ros.nodes.depth.lidar_fusion_params import FUSION_NODE_PARAMETERS, FUSION_NODE_TOPICS
from monodepth_ros.ros.nodes.navigation.pointcloud_params import POINTCLOUD_NODE_PARAMETERS, POINTCLOUD_NODE_TOPICS
from monodepth_ros.ros.nodes.sources.sim_scene_params import SIM_SCENE_NODE_PARAMETERS, SIM_SCENE_NODE_TOPICS
from monodepth_ros.ros.nodes.sources.video_source_params import VIDEO_SOURCE_NODE_PARAMETERS, VIDEO_SOURCE_NODE_TOPICS

NODE_TABLES: dict[str, tuple[NodeParameters, tuple[TopicSpec, ...]]] = {
    "depth_node": (DEPTH_NODE_PARAMETERS, DEPTH_NODE_TOPICS),
    "lidar_fusion_node": (FUSION_NODE_PARAMETERS, FUSION_NODE_TOPICS),
    "pointcloud_node": (POINTCLOUD_NODE_PARAMETERS, POINTCLOUD_NODE_TOPICS),
    "costmap_node": (COSTMAP_NODE_PARAMETERS, COSTMAP_NODE_TOPICS),
    "sim_scene_node": (SIM_SCENE_NODE_PARAMETERS, SIM_SCENE_NODE_TOPICS),
    "video_source_node": (VIDEO_SOURCE_NODE_PARAMETERS, VIDEO_SOURCE_NODE_TOPICS),
    "depth_effects_node": (DEPTH_EFFECTS_NODE_PARAMETERS, DEPTH_EFFECTS_NODE_TOPICS),
    "depth_sonification_node": (DEPTH_SONIFICATION_NODE_PARAMETERS, DEPTH_SONIFICATION_NODE_TOPICS),
}
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "nodes.md"
REGENERATE = "python -m monodepth_ros.tools.docs_tables (make docs)"
BLOCK = re.compile(r"(<!-- generated: (\S+) (topics|parameters) -->\n).*?(<!-- end generated -->)", re.DOTALL)
PARAMETER_TYPES = {bool: "bool", int: "int", float: "double", str: "string"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _number(value: float) -> str:
    """A range bound as people write it: 1000, 0.01, 1e-9, 2147483647."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e5):
        return str(int(value))
    return re.sub(r"e([+-])0*(\d)", lambda m: f"e{'-' if m.group(1) == '-' else ''}{m.group(2)}", f"{value:g}")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, str):
        return value or '""'
    return repr(value)


def parameter_type(default: Any) -> str:
    """The ROS parameter type of ``default``: bool, int, double, string, or e.g. double[7] for a list."""
    if isinstance(default, list):
        return f"{PARAMETER_TYPES[type(default[0])]}[{len(default)}]"
    return PARAMETER_TYPES[type(default)]


def accepted_values(spec: ParameterSpec) -> str:
    """What the spec accepts, in words: choices, range (per item for lists) and its check's summary."""
    parts = [spec.check.summary] if isinstance(spec.check, Check) else []
    if spec.choices:
        parts.append(", ".join(f"`{choice}`" for choice in spec.choices))
    if spec.minimum is not None and not isinstance(spec.default, bool):
        bounds = f"[{_number(spec.minimum)}, {_number(spec.maximum)}]"
        parts.append(f"each in {bounds}" if isinstance(spec.default, list) else bounds)
    return "; ".join(parts)


def parameter_table(table: NodeParameters) -> str:
    """The Markdown table of a node's parameters; (ro) marks read-only ones."""
    lines = ["| name | type | default | range / choices | meaning |", "|---|---|---|---|---|"]
    for spec in table:
        name = f"`{spec.name}`" + (" (ro)" if spec.read_only else "")
        meaning = spec.description
        former = table.former_names(spec.name)
        if former:
            meaning += " (formerly " + ", ".join(f"`{name}`" for name in former) + ", still accepted at start-up)"
        lines.append(f"| {name} | {parameter_type(spec.default)} | `{_value(spec.default)}` | "
                     f"{_cell(accepted_values(spec))} | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"


def topic_table(topics: tuple[TopicSpec, ...]) -> str:
    """The Markdown table of a node's topics."""
    lines = ["| | topic | type | notes |", "|---|---|---|---|"]
    lines += [f"| {topic.direction} | `{topic.name}` | {_cell(topic.type)} | {_cell(topic.notes)} |"
              for topic in topics]
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """``text`` with every generated block regenerated; raises ValueError for an unknown node or a node without
    both blocks."""
    seen = set()

    def generated(match: re.Match) -> str:
        node, kind = match.group(2), match.group(3)
        if node not in NODE_TABLES:
            raise ValueError(f"unknown node {node!r} in a generated block; known: {', '.join(NODE_TABLES)}")
        seen.add((node, kind))
        parameters, topics = NODE_TABLES[node]
        table = topic_table(topics) if kind == "topics" else parameter_table(parameters)
        return match.group(1) + table + match.group(4)

    rendered = BLOCK.sub(generated, text)
    missing = [f"{node} {kind}" for node in NODE_TABLES for kind in ("topics", "parameters")
               if (node, kind) not in seen]
    if missing:
        raise ValueError(f"no generated block for {', '.join(missing)}")
    return rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monodepth_ros.tools.docs_tables",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help="Markdown file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    arguments = parser.parse_args(argv)
    try:
        text = arguments.path.read_text()
        rendered = render(text)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if arguments.check:
        if rendered != text:
            print(f"{arguments.path} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if rendered != text:
        arguments.path.write_text(rendered)
        print(f"updated {arguments.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
