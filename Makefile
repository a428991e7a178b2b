# make setup  - create/refresh .venv (idempotent; fast when nothing changed)
# make demo   - the main job: sim scene -> depth -> LiDAR fusion -> point cloud -> costmap, report in out/
# make effects-demo - one picture per depth effect (bokeh, fog, parallax, stereo, ...) in out/effects/
# make test   - the whole test suite
# make bench  - benchmarks (per-stage timings, end-to-end latency)
# make docs   - regenerate the topic and parameter tables of docs/nodes.md from the nodes' tables
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST

.PHONY: setup demo effects-demo test bench docs clean
setup: $(STAMP)
	@$(PY) -m monodepth_ros.core.depth.weights_cache >/dev/null

$(STAMP): requirements.txt constraints.txt setup.py
	@ldconfig -p | grep -q libusb-1.0.so.0 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libusb-1.0-0)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -c constraints.txt -r requirements.txt
	$(PIP) install --no-build-isolation --no-deps -e .
	touch $(STAMP)

demo: setup
	$(PY) -m monodepth_ros.tools.demo --out out

effects-demo: setup
	$(PY) -m monodepth_ros.tools.effects_demo --out out/effects

test: setup
	$(PY) -m pytest -q test

bench: setup
	$(PY) benchmarks/run_all.py

docs: setup
	$(PY) -m monodepth_ros.tools.docs_tables

clean:
	rm -rf out build install log
