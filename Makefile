# make setup  - create/refresh .venv (idempotent; fast when nothing changed)
# make demo   - the main job: sim scene -> depth -> LiDAR fusion -> point cloud -> costmap, report in out/
# make effects-demo - one picture per depth effect (bokeh, fog, parallax, stereo, ...) in out/effects/
# make test   - the whole test suite (ROS 2 Kilted wheels in .venv), then the colcon build/test check
# make test-jazzy - the same with the ROS 2 Jazzy wheels in .venv-jazzy
# make colcon-check - colcon build (also --symlink-install) and colcon test of a clean workspace, with .venv
# make bench  - benchmarks (per-stage timings, end-to-end latency)
# make fuzz   - >= 10,000 malformed messages into the node processes over DDS, a table of crashes, hangs, wrong outputs
# make soak   - the pipeline for SOAK_MINUTES (default 10) minutes: RSS, rate and latency per minute
# make docs   - regenerate the topic and parameter tables of docs/nodes.md from the nodes' tables
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST

JAZZY_VENV := .venv-jazzy
JAZZY_PY := $(JAZZY_VENV)/bin/python
JAZZY_PIP := $(JAZZY_PY) -m pip --disable-pip-version-check -q
JAZZY_STAMP := $(JAZZY_VENV)/.installed
COLCON_PACKAGES := colcon-common-extensions ros-ament-package
SOAK_MINUTES ?= 10

.PHONY: setup setup-jazzy demo effects-demo test test-jazzy colcon-check bench fuzz soak docs clean
setup: $(STAMP)
	@$(PY) -m monodepth_ros.core.depth.weights_cache >/dev/null

$(STAMP): requirements.txt constraints.txt setup.py
	@ldconfig -p | grep -q libusb-1.0.so.0 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libusb-1.0-0)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -r requirements.txt
	$(PIP) install --no-build-isolation --no-deps -e .
	touch $(STAMP)

# ROS 2 Jazzy (rclpy 7.1.6) instead of Kilted: requirements-jazzy.txt adds the ros-jazzy-* meta packages.
setup-jazzy: $(JAZZY_STAMP)
	@$(JAZZY_PY) -m monodepth_ros.core.depth.weights_cache >/dev/null

$(JAZZY_STAMP): requirements.txt requirements-jazzy.txt constraints.txt setup.py
	@ldconfig -p | grep -q libusb-1.0.so.0 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libusb-1.0-0)
	test -x $(JAZZY_PY) || python3 -m venv $(JAZZY_VENV)
	$(JAZZY_PIP) install torch==2.13.0
	$(JAZZY_PIP) install -c constraints.txt -r requirements.txt -r requirements-jazzy.txt
	$(JAZZY_PIP) install --no-build-isolation --no-deps -e .
	touch $(JAZZY_STAMP)

# colcon and ament_package from PyPI in the venv that has rclpy (colcon builds and tests with its interpreter).
$(VENV)/.colcon: $(STAMP) constraints.txt
	$(PIP) install -c constraints.txt $(COLCON_PACKAGES)
	touch $@

$(JAZZY_VENV)/.colcon: $(JAZZY_STAMP) constraints.txt
	$(JAZZY_PIP) install -c constraints.txt $(COLCON_PACKAGES)
	touch $@

colcon-check: setup $(VENV)/.colcon
	test/colcon/colcon_check.sh $(VENV)

demo: setup
	$(PY) -m monodepth_ros.tools.demo --out out

effects-demo: setup
	$(PY) -m monodepth_ros.tools.effects_demo --out out/effects

test: setup $(VENV)/.colcon
	test/run_suite.sh $(VENV) kilted test

test-jazzy: setup-jazzy $(JAZZY_VENV)/.colcon
	test/run_suite.sh $(JAZZY_VENV) jazzy test

bench: setup
	$(PY) benchmarks/run_all.py

fuzz: setup
	$(PY) -m monodepth_ros.testing.fuzz --messages-per-node 2600

soak: setup
	$(PY) benchmarks/soak.py --minutes $(SOAK_MINUTES)

docs: setup
	$(PY) -m monodepth_ros.tools.docs_tables

clean:
	rm -rf out build install log
