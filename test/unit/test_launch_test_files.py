"""test/launch_tests/ collects under ROS's launch_testing pytest plugin.

The plugin imports every test module while collecting; a module that raises Skipped there (a module-level
``pytest.importorskip`` of something missing) aborts the collection of the whole folder. Module level may only
skip on the packages the plugin itself needs; anything else is a ``skipif`` on ``generate_test_description``.
"""
import ast
from pathlib import Path

import pytest

LAUNCH_TESTS = sorted((Path(__file__).resolve().parents[1] / "launch_tests").glob("test_*.py"))
PLUGIN_PACKAGES = {"launch.actions", "launch_ros.actions", "launch_testing.actions"}


def module_level_importorskips(tree: ast.Module) -> set[str]:
    return {node.value.args[0].value for node in tree.body
            if isinstance(node, (ast.Expr, ast.Assign)) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "attr", None) == "importorskip"}


@pytest.mark.parametrize("path", LAUNCH_TESTS, ids=lambda path: path.name)
def test_launch_test_modules_skip_at_module_level_only_without_ros_launch(path):
    tree = ast.parse(path.read_text())
    assert module_level_importorskips(tree) <= PLUGIN_PACKAGES
    entry = next(node for node in tree.body if isinstance(node, ast.FunctionDef)
                 and node.name == "generate_test_description")
    assert "launch_test" in {ast.unparse(decorator).rsplit(".", 1)[-1] for decorator in entry.decorator_list}


def test_every_launch_file_has_a_launch_test():
    assert len(LAUNCH_TESTS) == len(list((LAUNCH_TESTS[0].parents[2] / "launch").glob("*.launch.py")))
