"""Base of the processing nodes: newest-input worker thread, once-only problem log, statistics, diagnostics."""
from __future__ import annotations

import abc

from rclpy.node import Node

from monodepth_ros.core.runtime.latest_worker import LatestItemWorker
from monodepth_ros.core.runtime.rate_stats import RateLatencyStats
from monodepth_ros.ros.common.diagnostics import DiagnosticsPublisher, level_for
from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable
from monodepth_ros.ros.common.problem_log import ProblemLog


class WorkerNode(Node, abc.ABC):
    """Subclasses submit inputs to ``self.worker``; ``process`` runs on its thread for the newest one.

    The parameter table must have ``diagnostics_period_s``. /diagnostics carries the output rate, the median
    stamp-to-output latency, the inputs dropped in favour of newer ones, and ``diagnostic_values()``.
    """

    def __init__(self, name: str, parameters: tuple[ParameterSpec, ...], task: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.task = task
        self.worker = LatestItemWorker(self.process, self.on_processing_error, name=name)
        self.params = ParameterTable(self, parameters)
        self.problems = ProblemLog(self.get_logger())
        self.stats = RateLatencyStats()
        self.diagnostics = DiagnosticsPublisher(self, task)
        self.create_timer(self.params["diagnostics_period_s"], self.publish_diagnostics)

    @abc.abstractmethod
    def process(self, item) -> None:
        """Handle one input (on the worker thread)."""

    def diagnostic_values(self) -> dict[str, object]:
        """Node-specific key/values for /diagnostics."""
        return {}

    def record_output(self, stamp_ns: int) -> None:
        """Count one output for the rate and its latency from the input stamp ``stamp_ns``."""
        self.stats.record((self.get_clock().now().nanoseconds - stamp_ns) / 1e6)

    def on_processing_error(self, error: BaseException) -> None:
        self.problems.report(f"processing:{type(error).__name__}",
                             f"{self.task} failed ({type(error).__name__}: {error}); continuing with the next input")

    def publish_diagnostics(self) -> None:
        rate = self.stats.rate_hz()
        level, message = level_for(self.problems.active(), rate)
        values = {"rate_hz": f"{rate:.1f}", "latency_median_ms": f"{self.stats.median_latency_ms():.1f}",
                  "inputs_dropped": self.worker.dropped, **self.diagnostic_values()}
        self.diagnostics.publish(level, message, values)

    def destroy_node(self) -> None:
        self.worker.stop()
        super().destroy_node()
