"""The shipped Fast DDS large-message profile is found and selected unless the user chose one."""
from __future__ import annotations

from monodepth_ros.ros.common import dds_profile
from monodepth_ros.ros.common.share_files import share_file


def test_the_shipped_profile_exists_and_is_selected_by_default(monkeypatch):
    monkeypatch.delenv(dds_profile.PROFILE_ENV, raising=False)
    monkeypatch.delenv(dds_profile.OPT_OUT_ENV, raising=False)
    chosen = dds_profile.use_large_message_profile()
    assert chosen == str(dds_profile.large_message_profile_path())
    assert "segment_size" in dds_profile.large_message_profile_path().read_text()


def test_a_profile_chosen_by_the_user_is_kept(monkeypatch, tmp_path):
    mine = tmp_path / "mine.xml"
    monkeypatch.setenv(dds_profile.PROFILE_ENV, str(mine))
    assert dds_profile.use_large_message_profile() == str(mine)


def test_share_files_are_found_in_a_source_checkout():
    assert share_file("config/pipeline.yaml").is_file()
    assert share_file("launch/pipeline.launch.py").is_file()
