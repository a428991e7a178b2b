"""Base of the processing nodes: a managed node with a newest-input worker thread, work only on demand, rate-limited
problem log, statistics, diagnostics."""
from __future__ import annotations

import abc

from monodepth_ros.core.runtime.latest_worker import LatestItemWorker
from monodepth_ros.core.runtime.rate_stats import RateLatencyStats
from monodepth_ros.ros.common.diagnostics.diagnostics import DiagnosticsPublisher, level_for
from monodepth_ros.ros.common.managed_node import ManagedNode
from monodepth_ros.ros.common.output_demand import OutputDemand
from monodepth_ros.ros.common.parameters import ParameterSpec, ParameterTable
from monodepth_ros.ros.common.diagnostics.problem_log import ProblemLog

WORKER_STOP_TIMEOUT_S = 10.0
"""Longest wait on deactivate and shutdown for the input in progress to finish (seconds)."""


class WorkerNode(ManagedNode, abc.ABC):
    """Subclasses pass inputs to ``submit``; ``process`` runs on the worker thread for the newest one.

    A managed node (ManagedNode): a subclass's constructor only calls this one; its ``configure`` makes the model,
    the outputs and the subscriptions. The worker runs while the node is active: deactivate (and shutdown) let
    the input in progress finish and publish, then stop it, before the outputs are disabled.

    Outputs made with ``create_output_publisher`` form the node's demand (``self.demand``): ``submit`` drops
    inputs while none of them has a subscriber; they are lifecycle publishers. The parameter table must have
    ``diagnostics_period_s`` (and should have ``autostart``). /diagnostics carries the lifecycle state, the output
    rate, the median stamp-to-output latency, the inputs processed and those dropped in favour of newer ones,
    whether an output is subscribed, and (once configured) ``diagnostic_values()``.
    """

    def __init__(self, name: str, parameters: tuple[ParameterSpec, ...], task: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.task = task
        self.worker = LatestItemWorker(self._process_and_resolve, self.on_processing_error, name=name, start=False)
        self.params = ParameterTable(self, parameters)
        self.problems = ProblemLog(self.get_logger())
        self.stats = RateLatencyStats()
        self.diagnostics = DiagnosticsPublisher(self, task)
        self.demand = OutputDemand(self, self.on_demand_changed)
        self.create_timer(self.params["diagnostics_period_s"], self.publish_diagnostics)
        self.start_up()

    def create_output_publisher(self, message_type, topic: str, qos, **kwargs):
        """A lifecycle publisher of one of the node's outputs: while none has a subscriber, inputs are dropped."""
        return self.demand.create_publisher(message_type, topic, qos, **kwargs)

    def activate(self) -> None:
        super().activate()
        self.worker.start()

    def deactivate(self) -> None:
        if not self.worker.stop(WORKER_STOP_TIMEOUT_S):
            self.get_logger().warning(f"{self.task} still busy after {WORKER_STOP_TIMEOUT_S} s: its output is "
                                      "not published")
        super().deactivate()

    def parts_released(self) -> None:
        super().parts_released()
        self.demand.forget_destroyed()

    def submit(self, item) -> None:
        """Hand ``item`` to the worker (replacing one not started yet) while the node is active and some output is
        subscribed."""
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
        problems = self.problems.active()
        if self.lifecycle_problem:
            problems = {"lifecycle": self.lifecycle_problem, **problems}
        level, message = level_for(problems, rate, demanded, self.lifecycle_state)
        values = {"lifecycle_state": self.lifecycle_state, "rate_hz": f"{rate:.1f}",
                  "latency_median_ms": f"{self.stats.median_latency_ms():.1f}",
                  "inputs_processed": self.worker.processed, "inputs_dropped": self.worker.dropped,
                  "problems": len(problems)}
        if self.demand.publishers:
            values["outputs_subscribed"] = "yes" if self.demand.active else "no"
        if self.configured:
            values.update(self.diagnostic_values())
        self.diagnostics.publish(level, message, values)
