"""monodepth_ros: an ament_python package that also installs with pip (see README)."""
import runpy
import sys
from glob import glob
from pathlib import Path

from setuptools import find_packages, setup

PACKAGE = "monodepth_ros"
NODE_MODULES = runpy.run_path(f"{PACKAGE}/ros/nodes/__init__.py")["NODE_MODULES"]
CONSOLE_SCRIPTS = {**NODE_MODULES, "monodepth-pipeline": f"{PACKAGE}.ros.runners.pipeline_runner",
                   "monodepth-effects": f"{PACKAGE}.tools.effects", "monodepth-export": f"{PACKAGE}.tools.export_onnx",
                   "monodepth-video": f"{PACKAGE}.tools.video",
                   "monodepth-bag": f"{PACKAGE}.tools.bag.cli",
                   "monodepth-batch": f"{PACKAGE}.tools.batch.cli"}


def lib_executables() -> list[str]:
    """For pip (wheel) installs: <prefix>/lib/monodepth_ros/<script>, where `ros2 run` and ament look, each a shell
    script that runs <prefix>/bin/<script>, where pip puts console scripts. Only wheels get them: colcon installs
    the console scripts into lib/monodepth_ros itself (setup.cfg), and editable installs skip data_files."""
    if "bdist_wheel" not in sys.argv:
        return []
    folder = Path("build", "pip_lib")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for script in CONSOLE_SCRIPTS:
        path = folder / script
        path.write_text(f'#!/bin/sh\n# {script} of {PACKAGE}; pip installed the console script in <prefix>/bin\n'
                        f'exec "$(dirname "$0")/../../bin/{script}" "$@"\n')
        path.chmod(0o755)
        paths.append(str(path))
    return paths


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*", "benchmarks"]),
    package_data={PACKAGE: ["resources/*.xml"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml") + glob(f"{PACKAGE}/resources/*.xml")),
        (f"share/{PACKAGE}/rviz", glob("rviz/*.rviz")),
        (f"lib/{PACKAGE}", lib_executables()),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="monodepth_ros maintainers",
    maintainer_email="maintainers@monodepth-ros.dev",
    description="Metric monocular depth, LiDAR scale fusion, point clouds and costmaps for ROS 2",
    license="Apache-2.0",
    extras_require={"test": ["pytest"], "batch": ["ray>=2.9"]},  # colcon test runs pytest when "test" names it; batch: Ray
    entry_points={"console_scripts": [f"{script} = {module}:main" for script, module in CONSOLE_SCRIPTS.items()]},
)
