#!/usr/bin/env bash
# The test suite with one venv's ROS distribution, then the colcon build/test check, then one summary line.
#
#   test/run_suite.sh VENV LABEL [PYTEST_PATHS...]     (make test: .venv kilted; make test-jazzy: .venv-jazzy jazzy)
#
# Exits non-zero when pytest or the colcon check fails; the summary line names both either way.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$1" LABEL="$2"
shift 2
PATHS=("${@:-test}")
cd "$ROOT"
LOG="$(mktemp "${TMPDIR:-/tmp}/monodepth_suite.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

RCLPY="$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("ros-rclpy"))')"
START=$SECONDS
"$VENV/bin/python" -m pytest -q "${PATHS[@]}" 2>&1 | tee "$LOG"
PYTEST_STATUS=${PIPESTATUS[0]}
PYTEST_LINE="$(grep -E '^=* ?([0-9]+ (passed|failed|errors?|skipped)|no tests ran)' "$LOG" | tail -1 | sed -E 's/^=+ //; s/ =+$//')"
PYTEST_SECONDS=$((SECONDS - START))

test/colcon/colcon_check.sh "$VENV" 2>&1 | tee "$LOG"
COLCON_STATUS=${PIPESTATUS[0]}
COLCON_LINE="$(grep -E '^colcon check: ' "$LOG" | tail -1)"

echo "SUMMARY ${LABEL} (rclpy ${RCLPY}): pytest ${PATHS[*]}: ${PYTEST_LINE:-no result} (exit ${PYTEST_STATUS}," \
     "${PYTEST_SECONDS} s); ${COLCON_LINE:-colcon check: no result}"
[ "$PYTEST_STATUS" = 0 ] && [ "$COLCON_STATUS" = 0 ]
