#!/usr/bin/env bash
# colcon build (normal and --symlink-install) and colcon test of this package in a clean temporary workspace,
# with the colcon and ament_package of the venv (colcon-common-extensions, ros-ament-package from PyPI).
#
#   test/colcon/colcon_check.sh [VENV]        (default .venv; `make colcon-check` installs colcon first)
#
# Checks the install tree (every console script under lib/monodepth_ros, launch/config/rviz files under
# share/monodepth_ros, the ament index marker), runs depth_node from it after `source install/setup.bash`, and
# runs `colcon test` on a fast subset (COLCON_TEST_PATHS) with `colcon test-result`, failing on zero tests.
# Prints one summary line: "colcon check: OK ..." or "colcon check: FAILED: <reason>".
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$(cd "${1:-$ROOT/.venv}" && pwd)"
TEST_PATHS="${COLCON_TEST_PATHS:-test/unit/test_rosdep_keys.py test/unit/test_launch_test_files.py test/unit/ros/runners/test_pipeline_graph.py test/unit/core/camera}"
WORKSPACE="$(mktemp -d "${TMPDIR:-/tmp}/monodepth_colcon.XXXXXX")"
trap 'rm -rf "$WORKSPACE"' EXIT
START=$SECONDS

fail() { echo "colcon check: FAILED: $*"; exit 1; }

export PATH="$VENV/bin:$PATH" COLCON_HOME="$WORKSPACE/.colcon"
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$((RANDOM % 100 + 1))}" ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
unset PYTHONPATH AMENT_PREFIX_PATH COLCON_PREFIX_PATH
command -v colcon >/dev/null || fail "no colcon in $VENV (make colcon-check installs it)"

# The package as a clone has it: tracked and untracked-but-not-ignored files (a copy without build outputs and
# venvs where the sources are not a git checkout).
mkdir -p "$WORKSPACE/src/monodepth_ros"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
        [ -e "$file" ] && printf '%s\0' "$file"; done | xargs -0 cp --parents -t "$WORKSPACE/src/monodepth_ros")
else
    tar -C "$ROOT" --exclude='./.venv*' --exclude=./build --exclude=./install --exclude=./log --exclude=./out \
        --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$WORKSPACE/src/monodepth_ros" -xf -
fi

EXPECTED_SCRIPTS="$("$VENV/bin/python" - "$ROOT/setup.py" <<'EOF'
import ast, runpy, sys
from pathlib import Path
setup_py = Path(sys.argv[1])
nodes = runpy.run_path(str(setup_py.parent / "monodepth_ros/ros/nodes/__init__.py"))["NODE_MODULES"]
tree = ast.parse(setup_py.read_text())  # CONSOLE_SCRIPTS = {**NODE_MODULES, "monodepth-x": ..., ...}
table = next(node.value for node in tree.body if isinstance(node, ast.Assign)
             and getattr(node.targets[0], "id", "") == "CONSOLE_SCRIPTS")
tools = {key.value for key in table.keys if isinstance(key, ast.Constant)}
print(" ".join(sorted(set(nodes) | tools)))
EOF
)"

check_install() {  # $1 install base, $2 "copy" or "symlink"
    local prefix="$1/monodepth_ros" share="$1/monodepth_ros/share/monodepth_ros" file
    [ -f "$prefix/share/ament_index/resource_index/packages/monodepth_ros" ] || fail "$2: no ament index marker"
    [ -f "$share/package.xml" ] || fail "$2: no share/monodepth_ros/package.xml"
    for script in $EXPECTED_SCRIPTS; do
        [ -x "$prefix/lib/monodepth_ros/$script" ] || fail "$2: lib/monodepth_ros/$script missing"
    done
    for file in "$ROOT"/launch/*.launch.py "$ROOT"/config/*.yaml "$ROOT"/rviz/*.rviz; do
        local installed="$share/$(basename "$(dirname "$file")")/$(basename "$file")"
        [ -f "$installed" ] || fail "$2: $installed missing"
        if [ "$2" = symlink ]; then
            [ -L "$installed" ] || fail "symlink: $installed is not a symlink into the source"
        fi
    done
}

run_from_install() {  # $1 install base: depth_node starts from the sourced install tree and stops cleanly
    (
        set +u
        # shellcheck disable=SC1091
        source "$1/setup.bash"
        set -u
        share="$(python -c 'from ament_index_python.packages import get_package_share_directory as g; print(g("monodepth_ros"))')"
        [ "$share" = "$1/monodepth_ros/share/monodepth_ros" ] || fail "ament index gives $share"
        log="$WORKSPACE/depth_node.log"
        # as `ros2 run monodepth_ros depth_node` starts it (ros2cli is not on PyPI)
        "$1/monodepth_ros/lib/monodepth_ros/depth_node" --ros-args -p autostart:=false -r __ns:=/colcon_check >"$log" 2>&1 &
        pid=$!
        sleep 5
        kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "depth_node from $1 exited early"; }
        kill -INT "$pid"
        wait "$pid" || { cat "$log"; fail "depth_node from $1 did not exit cleanly on Ctrl-C"; }
        if grep -E "Traceback|\[ERROR\]" "$log"; then fail "depth_node from $1 logged errors"; fi
    )
}

cd "$WORKSPACE"
colcon build --base-paths src --build-base build --install-base install >colcon_build.log 2>&1 \
    || { tail -30 colcon_build.log; fail "colcon build"; }
check_install "$WORKSPACE/install" copy
run_from_install "$WORKSPACE/install"

colcon build --symlink-install --base-paths src --build-base build_symlink --install-base install_symlink \
    >colcon_build_symlink.log 2>&1 || { tail -30 colcon_build_symlink.log; fail "colcon build --symlink-install"; }
check_install "$WORKSPACE/install_symlink" symlink
run_from_install "$WORKSPACE/install_symlink"

# shellcheck disable=SC2086
colcon test --base-paths src --build-base build --install-base install --packages-select monodepth_ros \
    --event-handlers console_direct- --pytest-args $TEST_PATHS >colcon_test.log 2>&1 || true
colcon test-result --test-result-base build --verbose >colcon_test_result.log 2>&1 || true
summary="$(grep -E '^Summary: ' colcon_test_result.log || true)"
[ -n "$summary" ] || { cat colcon_test.log colcon_test_result.log | tail -40; fail "colcon test-result gave no summary"; }
tests="$(sed -E 's/^Summary: ([0-9]+) tests.*/\1/' <<<"$summary")"
errors="$(sed -E 's/.* ([0-9]+) errors.*/\1/' <<<"$summary")"
failures="$(sed -E 's/.* ([0-9]+) failures.*/\1/' <<<"$summary")"
[ "$tests" -gt 0 ] || { tail -40 colcon_test.log; fail "colcon test ran 0 tests"; }
[ "$errors" = 0 ] && [ "$failures" = 0 ] || { cat colcon_test_result.log; tail -60 colcon_test.log; fail "$summary"; }

echo "colcon check: OK: build and --symlink-install installed $(wc -w <<<"$EXPECTED_SCRIPTS") executables," \
     "launch/config/rviz files and the index marker; depth_node ran from both; colcon test: $summary" \
     "($((SECONDS - START)) s)"
