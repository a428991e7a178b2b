# make setup  - create/refresh .venv (idempotent; fast when nothing changed)
# make demo   - the main job: sim scene -> depth -> LiDAR fusion -> point cloud -> costmap, report in out/
# make effects-demo - one picture per depth effect (bokeh, fog, parallax, stereo, ...) in out/effects/
# make test   - the whole test suite
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

.PHONY: setup demo effects-demo test bench fuzz soak docs clean
SOAK_MINUTES ?= 10
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

fuzz: setup
	$(PY) -m monodepth_ros.testing.fuzz --messages-per-node 2600

soak: setup
	$(PY) benchmarks/soak.py --minutes $(SOAK_MINUTES)

docs: setup
	$(PY) -m monodepth_ros.tools.docs_tables

clean:
	rm -rf out build install log
