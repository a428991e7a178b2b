"""Layering rules of a package, read from its source with ``ast`` (nothing is imported).

Rules: no import cycles between modules; the ROS-free core imports neither ROS Python packages nor the ROS
layer; node modules never import each other (a node may import its own ``<node>_params`` table); no folder
holds more than a fixed number of modules. Every import counts, also those inside functions.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

MAX_MODULES_PER_FOLDER = 14
"""Most ``.py`` files (``__init__.py`` included) one folder may hold directly."""

ROS_PACKAGES = frozenset({
    "rclpy", "rcl_interfaces", "builtin_interfaces", "sensor_msgs", "std_msgs", "geometry_msgs", "nav_msgs",
    "diagnostic_msgs", "visualization_msgs", "std_srvs", "lifecycle_msgs", "rosgraph_msgs", "action_msgs",
    "unique_identifier_msgs", "launch", "launch_ros", "launch_testing", "ament_index_python", "message_filters",
    "cv_bridge", "image_transport", "rosbag2_py", "rpyutils"})
"""Top-level names of ROS Python packages; names ending like a message package or starting with tf2_, rcl,
rmw or rosidl count too."""
ROS_SUFFIXES = ("_msgs", "_srvs", "_interfaces")
ROS_PREFIXES = ("tf2", "rcl", "rmw", "rosidl")


@dataclass(frozen=True)
class Module:
    """One source file: its dotted name, path and every module name it imports (resolved, absolute)."""

    name: str
    path: Path
    imports: frozenset[str]

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def is_ros_package(module_name: str) -> bool:
    """True when ``module_name`` (dotted) belongs to a ROS Python package."""
    top = module_name.split(".", 1)[0]
    return top in ROS_PACKAGES or top.endswith(ROS_SUFFIXES) or top.startswith(ROS_PREFIXES)


def module_name_for(path: Path, package_dir: Path) -> str:
    parts = (package_dir.name, *path.relative_to(package_dir).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_package(package_dir: Path) -> dict[str, Module]:
    """Every module under ``package_dir`` (a folder with ``__init__.py``) by dotted name."""
    package_dir = Path(package_dir)
    paths = {module_name_for(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}
    return {name: Module(name, path, frozenset(imported_names(path, name, set(paths))))
            for name, path in paths.items()}


def imported_names(path: Path, module_name: str, known_modules: set[str]) -> set[str]:
    """Absolute names imported anywhere in ``path``; ``from a import b`` yields ``a.b`` when that is a module
    of the package, else ``a``."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(node.module, node.level, module_name, is_package)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.add(candidate if candidate in known_modules else base)
    return names


def resolve_relative(module: str | None, level: int, importer: str, importer_is_package: bool) -> str:
    if level == 0:
        return module or ""
    parts = importer.split(".")
    anchor = parts if importer_is_package else parts[:-1]
    anchor = anchor[:len(anchor) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def import_cycles(modules: dict[str, Module]) -> list[list[str]]:
    """One cycle (module names, first repeated at the end) per group of modules that import each other."""
    graph = {name: sorted(target for target in module.imports if target in modules and target != name)
             for name, module in modules.items()}
    cycles = []
    for component in strongly_connected(graph):
        if len(component) > 1:
            cycles.append(cycle_through(sorted(component)[0], component, graph))
    return sorted(cycles)


def strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    advanced = True
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                lowlink[work[-1][0]] = min(lowlink[work[-1][0]], lowlink[node])
            if lowlink[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def cycle_through(start: str, component: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest import path from ``start`` back to itself inside ``component`` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in graph[node]:
                if successor not in component:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    raise ValueError(f"{start} is in no cycle")


def core_violations(modules: dict[str, Module], core: str, ros_layer: str) -> list[str]:
    """Imports of ROS packages or of ``ros_layer`` from modules under ``core``."""
    problems = []
    for module in modules.values():
        if not is_within(module.name, core):
            continue
        for target in sorted(module.imports):
            if is_ros_package(target) or is_within(target, ros_layer):
                problems.append(f"{module.name} (ROS-free core) imports {target}")
    return problems


def node_violations(modules: dict[str, Module], nodes_package: str) -> list[str]:
    """Imports between modules of ``nodes_package``, except a ``<x>_node`` importing its own ``<x>_params``."""
    problems = []
    for module in modules.values():
        if not is_within(module.name, nodes_package) or module.name == nodes_package:
            continue
        for target in sorted(module.imports):
            if target == module.name or not is_within(target, nodes_package) or target == nodes_package:
                continue
            own_table = (module.short_name.endswith("_node")
                         and target.rsplit(".", 1)[-1] == module.short_name[:-len("_node")] + "_params")
            if not own_table:
                problems.append(f"{module.name} imports {target}: node modules stay independent "
                                "(shared code belongs in a common module)")
    return problems


def crowded_folders(package_dir: Path, limit: int = MAX_MODULES_PER_FOLDER) -> list[str]:
    """Folders under ``package_dir`` (itself included) holding more than ``limit`` modules directly."""
    problems = []
    for folder in sorted({path.parent for path in Path(package_dir).rglob("*.py")}):
        count = len(list(folder.glob("*.py")))
        if count > limit:
            problems.append(f"{folder.relative_to(Path(package_dir).parent)} holds {count} modules "
                            f"(at most {limit}): split it by concern")
    return problems


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def check_package(package_dir: Path, limit: int = MAX_MODULES_PER_FOLDER) -> dict[str, list[str]]:
    """Every rule's violations for the package at ``package_dir`` (its ``core``, ``ros`` and ``ros.nodes``
    subpackages), by rule name; empty lists when it follows them."""
    package_dir = Path(package_dir)
    modules = read_package(package_dir)
    root = package_dir.name
    return {
        "import cycles": [" -> ".join(cycle) for cycle in import_cycles(modules)],
        "ROS-free core": core_violations(modules, f"{root}.core", f"{root}.ros"),
        "independent nodes": node_violations(modules, f"{root}.ros.nodes"),
        "folder size": crowded_folders(package_dir, limit),
    }
