"""The embedded model is fetched once, verified by checksum, and a bad file is never used."""
from __future__ import annotations

import pytest

from monodepth_ros.core.depth import weights_cache


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MONODEPTH_ROS_CACHE", str(tmp_path))
    return tmp_path


def test_fetches_and_verifies_the_model_then_reuses_it(empty_cache):
    path = weights_cache.fastdepth_model_path()
    assert path.parent == empty_cache
    assert weights_cache.sha256_of(path) == weights_cache.FASTDEPTH_ONNX_SHA256
    modified = path.stat().st_mtime_ns
    assert weights_cache.fastdepth_model_path(fetch=False) == path
    assert path.stat().st_mtime_ns == modified


def test_a_tampered_cached_file_is_not_used(empty_cache):
    (empty_cache / weights_cache.FASTDEPTH_FILENAME).write_bytes(b"not a model")
    with pytest.raises(RuntimeError, match="not in cache"):
        weights_cache.fastdepth_model_path(fetch=False)
    repaired = weights_cache.fastdepth_model_path()
    assert weights_cache.sha256_of(repaired) == weights_cache.FASTDEPTH_ONNX_SHA256


def test_a_download_with_the_wrong_checksum_is_refused(empty_cache, monkeypatch):
    monkeypatch.setattr(weights_cache, "FASTDEPTH_TARBALL_SHA256", "0" * 64)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        weights_cache.fastdepth_model_path()
    assert not (empty_cache / weights_cache.FASTDEPTH_FILENAME).exists()


def test_a_hub_id_that_is_not_cached_fails_at_once_when_offline(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(RuntimeError, match="not in the local Hugging Face cache.*local folder"):
        weights_cache.check_hub_model_available("no-such-org/no-such-model")


def test_a_hub_that_cannot_be_reached_fails_within_the_connect_timeout(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "https://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="cannot be reached"):
        weights_cache.check_hub_model_available("no-such-org/no-such-model")
