"""The shared test fixtures of test/conftest.py."""
import logging

NON_PROPAGATING = logging.getLogger("monodepth_ros.fixture_probe")
NON_PROPAGATING.propagate = False  # as a logger created after `import launch` (launch.logging.LaunchLogger)


def test_caplog_sees_warnings_of_loggers_that_do_not_propagate(caplog):
    with caplog.at_level(logging.WARNING, logger=NON_PROPAGATING.name):
        NON_PROPAGATING.warning("fp16 ignored")
    assert [record.getMessage() for record in caplog.records] == ["fp16 ignored"]


def test_caplog_restores_the_loggers_afterwards():
    assert NON_PROPAGATING.propagate is False
