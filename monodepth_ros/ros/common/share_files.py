"""Find files installed to share/monodepth_ros (colcon, pip) or in a source checkout."""
from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = "monodepth_ros"


def share_file(relative: str) -> Path:
    """Path of ``relative`` (e.g. 'config/pipeline.yaml'); raises FileNotFoundError listing where it looked.

    Looks in the ament index (colcon installs; OSError when AMENT_PREFIX_PATH is unset), then
    <prefix>/share/monodepth_ros (pip installs), then the source checkout.
    """
    candidates = []
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

        try:
            candidates.append(Path(get_package_share_directory(PACKAGE)))
        except (PackageNotFoundError, OSError):
            pass
    except ImportError:
        pass
    candidates += [Path(sys.prefix) / "share" / PACKAGE, Path(__file__).resolve().parents[3]]
    for base in candidates:
        if (base / relative).is_file():
            return base / relative
    raise FileNotFoundError(f"{relative} not found in {', '.join(str(base) for base in candidates)}")
