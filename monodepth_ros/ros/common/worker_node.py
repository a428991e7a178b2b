"""Base of the processing nodes: newest-input worker thread, work only on demand, once-only problem log,
statistics, diagnostics."""
from __future__ import annotations

import abc

from rclpy.node import Node

from monodepth_ros.core.runtime.latest_worker import LatestItemWorker
from monodepth_ros.core.runtime.rate_stats import RateLatencyStats
from monodepth_ros.ros.common.diagnostics import DiagnosticsPublisher, level_for
from monodepth_ros.ros.common.output_demand import OutputDemand
from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable
from monodepth_ros.ros.common.problem_log import ProblemLog


class WorkerNode(Node, abc.ABC):
    """Subclasses pass inputs to ``submit``; ``process`` runs on the worker thread for the newest one.

    Outputs made with ``create_output_publisher`` form the node's demand (``self.demand``): ``submit`` drops
    inputs while none of them has a subscriber. The parameter table must have ``diagnostics_period_s``.
    /diagnostics carries the output rate, the median stamp-to-output latency, the inputs processed and those
    dropped in favour of newer ones, whether an output is subscribed, and ``diagnostic_values()``.
    """

    def __init__(self, name: str, parameters: tuple[ParameterSpec, ...], task: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.task = task
        self.worker = LatestItemWorker(self._process_and_resolve, self.on_processing_error, name=name)
        self.params = ParameterTable(self, parameters)
        self.problems = ProblemLog(self.get_logger())
        self.stats = RateLatencyStats()
        self.diagnostics = DiagnosticsPublisher(self, task)
        self.demand = OutputDemand(self, self.on_demand_changed)
        self.create_timer(self.params["diagnostics_period_s"], self.publish_diagnostics)

    def create_output_publisher(self, message_type, topic: str, qos, **kwargs):
        """A publisher of one of the node's outputs: while none has a subscriber, inputs are dropped."""
        return self.demand.create_publisher(message_type, topic, qos, **kwargs)

    def submit(self, item) -> None:
        """Hand ``item`` to the worker (replacing one not started yet) while some output is subscribed."""
        if self.demand.active:
            self.worker.submit(item)

    def on_demand_changed(self, active: bool) -> None:
        if active:
            self.get_logger().info(f"an output is subscribed: {self.task} runs")
        else:
            self.get_logger().info(f"no output is subscribed: {self.task} idles until one is")

    @abc.abstractmethod
    def process(self, item) -> None:
        """Handle one input (on the worker thread)."""

    def diagnostic_values(self) -> dict[str, object]:
        """Node-specific key/values for /diagnostics."""
        return {}

    def record_output(self, stamp_ns: int) -> None:
        """Count one output for the rate and its latency from the input stamp ``stamp_ns``."""
        self.stats.record((self.get_clock().now().nanoseconds - stamp_ns) / 1e6)

    def _process_and_resolve(self, item) -> None:
        self.process(item)
        self.problems.resolve("processing:")

    def on_processing_error(self, error: BaseException) -> None:
        self.problems.report(f"processing:{type(error).__name__}",
                             f"{self.task} failed ({type(error).__name__}: {error}); continuing with the next input")

    def publish_diagnostics(self) -> None:
        rate = self.stats.rate_hz()
        demanded = self.demand.active or not self.demand.publishers
        level, message = level_for(self.problems.active(), rate, demanded)
        values = {"rate_hz": f"{rate:.1f}", "latency_median_ms": f"{self.stats.median_latency_ms():.1f}",
                  "inputs_processed": self.worker.processed, "inputs_dropped": self.worker.dropped}
        if self.demand.publishers:
            values["outputs_subscribed"] = "yes" if self.demand.active else "no"
        values.update(self.diagnostic_values())
        self.diagnostics.publish(level, message, values)

    def destroy_node(self) -> None:
        self.worker.stop()
        super().destroy_node()
