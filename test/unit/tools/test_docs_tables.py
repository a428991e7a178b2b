"""docs/nodes.md: its tables are what the nodes' parameter and topic tables generate."""
from __future__ import annotations

import pytest

from monodepth_ros.ros.common.parameters import NodeParameters, ParameterSpec, pose7_check
from monodepth_ros.tools.docs_tables import DEFAULT_PATH, NODE_TABLES, REGENERATE, main, parameter_table, render


def test_committed_docs_match_the_tables():
    committed = DEFAULT_PATH.read_text()
    if render(committed) != committed:
        pytest.fail(f"docs/nodes.md is out of date: run {REGENERATE}")


def test_every_parameter_and_topic_of_every_node_is_in_the_docs():
    text = DEFAULT_PATH.read_text()
    for node, (parameters, topics) in NODE_TABLES.items():
        section = text.split(f"\n## {node}\n", 1)[1].split("\n## ", 1)[0]
        for spec in parameters:
            assert f"| `{spec.name}`" in section, (node, spec.name)
        for topic in topics:
            assert f"| {topic.direction} | `{topic.name}` |" in section, (node, topic.name)


def test_a_parameter_row_shows_type_default_range_read_only_and_former_names():
    table = NodeParameters((
        ParameterSpec("max_depth_m", 20.0, "Farther is dropped (metres)", minimum=0.01, maximum=1000.0),
        ParameterSpec("pose", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], "A pose", read_only=True,
                      check=pose7_check("pose"), minimum=-100.0, maximum=100.0),
        ParameterSpec("mode", "a", "a | b", choices=("a", "b")),
    ), renamed={"max_range_m": "max_depth_m"})
    rows = parameter_table(table).splitlines()[2:]
    assert rows[0] == ("| `max_depth_m` | double | `20.0` | [0.01, 1000] | Farther is dropped (metres) "
                       "(formerly `max_range_m`, still accepted at start-up) |")
    assert rows[1].startswith("| `pose` (ro) | double[7] | `[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]` | pose7 ")
    assert rows[1].endswith("; each in [-100, 100] | A pose |")
    assert rows[2] == "| `mode` | string | `a` | `a`, `b` | a \\| b |"


def test_stale_tables_are_regenerated_and_check_reports_them(tmp_path, capsys):
    path = tmp_path / "nodes.md"
    stale = DEFAULT_PATH.read_text().replace("| `decimation` | int | `1` |", "| `decimation` | int | `3` |")
    path.write_text(stale)
    assert main(["--check", str(path)]) == 1
    assert "make docs" in capsys.readouterr().err
    assert main([str(path)]) == 0
    assert path.read_text() == DEFAULT_PATH.read_text()
    assert main(["--check", str(path)]) == 0


def test_a_node_without_its_blocks_or_an_unknown_node_is_an_error():
    text = DEFAULT_PATH.read_text()
    without = text.replace("<!-- generated: costmap_node topics -->", "<!-- costmap_node topics -->")
    with pytest.raises(ValueError, match="no generated block for costmap_node topics"):
        render(without)
    with pytest.raises(ValueError, match="unknown node 'camera_node'"):
        render(text + "<!-- generated: camera_node topics -->\n<!-- end generated -->\n")
