"""monodepth_ros: an ament_python package that also installs with pip (see README)."""
import runpy
from glob import glob

from setuptools import find_packages, setup

PACKAGE = "monodepth_ros"
NODE_MODULES = runpy.run_path(f"{PACKAGE}/ros/nodes/__init__.py")["NODE_MODULES"]

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
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    maintainer="monodepth_ros maintainers",
    maintainer_email="maintainers@monodepth-ros.dev",
    description="Metric monocular depth, LiDAR scale fusion, point clouds and costmaps for ROS 2",
    license="Apache-2.0",
    tests_require=["pytest"],
    entry_points={"console_scripts": [f"{node} = {module}:main" for node, module in NODE_MODULES.items()]
                  + [f"monodepth-pipeline = {PACKAGE}.ros.runners.pipeline_runner:main",
                     f"monodepth-effects = {PACKAGE}.tools.effects:main",
                     f"monodepth-export = {PACKAGE}.tools.export_onnx:main",
                     f"monodepth-bag = {PACKAGE}.tools.bag.cli:main",
                     f"monodepth-video = {PACKAGE}.tools.video:main"]},
)
