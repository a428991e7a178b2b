"""Write the Middlebury 2014 Motorcycle scene shipped with scikit-image as evaluation DATA.npz.

Usage: python -m monodepth_ros.tools.make_middlebury_npz OUT.npz
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from monodepth_ros.core.eval.datasets import load_middlebury_motorcycle, save_eval_npz


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monodepth_ros.tools.make_middlebury_npz",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the DATA.npz to write")
    args = parser.parse_args(argv)
    rgb, depth, k = load_middlebury_motorcycle()
    save_eval_npz(args.out, rgb, depth, k)
    known = depth[np.isfinite(depth)]
    print(f"wrote {args.out}: 1 frame {rgb.shape[1]}x{rgb.shape[0]}, {known.size} pixels with ground truth "
          f"({known.min():.2f}-{known.max():.2f} m)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
