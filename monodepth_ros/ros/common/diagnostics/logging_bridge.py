"""Send the core's Python logging records to a node's ROS logger."""
from __future__ import annotations

import logging


class _RosLogHandler(logging.Handler):
    def __init__(self, ros_logger) -> None:
        super().__init__()
        self._ros_logger = ros_logger

    def emit(self, record: logging.LogRecord) -> None:
        message = self.format(record)
        if record.levelno >= logging.ERROR:
            self._ros_logger.error(message)
        elif record.levelno >= logging.WARNING:
            self._ros_logger.warning(message)
        else:
            self._ros_logger.info(message)


def python_logger_for(node) -> logging.Logger:
    """A logging.Logger whose records appear in the node's ROS log."""
    logger = logging.getLogger(f"monodepth_ros.{node.get_name()}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(_RosLogHandler(node.get_logger()))
    return logger
