"""The processing-node base over real DDS: worker thread, errors, diagnostics, work only on demand."""
from __future__ import annotations

import math
import threading
import time

import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from ros_helpers import spinning, wait_until
from std_msgs.msg import Header

from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.conversions.header import stamp_ns

PARAMETERS = (ParameterSpec("diagnostics_period_s", 0.2, "Period of /diagnostics messages (seconds)",
                            minimum=0.1, maximum=60.0),)


class EchoNode(WorkerNode):
    """Republishes each input header on ``out``; frame 'fail' raises, frame 'slow' takes 0.3 s."""

    def __init__(self, name: str) -> None:
        super().__init__(name, PARAMETERS, "echo")
        self.output = self.create_output_publisher(Header, "~/out", stream_output_qos())
        self.callback_threads: set[str] = set()
        self.process_threads: set[str] = set()
        self.create_subscription(Header, "~/in", self.on_input, stream_output_qos(depth=10))

    def on_input(self, header: Header) -> None:
        self.callback_threads.add(threading.current_thread().name)
        self.submit(header)

    def process(self, header: Header) -> None:
        self.process_threads.add(threading.current_thread().name)
        if header.frame_id == "fail":
            raise RuntimeError("cannot echo frame 'fail'")
        if header.frame_id == "slow":
            time.sleep(0.3)
        self.output.publish(header)
        self.record_output(stamp_ns(header))


class Bench:
    """An EchoNode under test, and a peer node that feeds it, listens to it and reads /diagnostics."""

    def __init__(self, test_nodes, name: str) -> None:
        self.echo = EchoNode(name)
        self.peer = test_nodes(f"{name}_peer")
        self.input = self.peer.create_publisher(Header, f"/{name}/in", stream_output_qos(depth=10))
        self.outputs: list[Header] = []
        self.output_subscription = None
        self.diagnostics: list[DiagnosticStatus] = []
        self.peer.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, 10)

    def on_diagnostics(self, array: DiagnosticArray) -> None:
        self.diagnostics.extend(status for status in array.status if status.name == f"{self.echo.get_name()}: echo")

    def subscribe_output(self) -> None:
        self.output_subscription = self.peer.create_subscription(
            Header, f"/{self.echo.get_name()}/out", self.outputs.append, stream_output_qos(depth=10))

    def unsubscribe_output(self) -> None:
        self.peer.destroy_subscription(self.output_subscription)

    def send(self, frame_id: str = "ok") -> None:
        header = Header(frame_id=frame_id)
        header.stamp = self.peer.get_clock().now().to_msg()
        self.input.publish(header)

    def send_until(self, condition, timeout_s: float = 10.0, frame_id: str = "ok") -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.send(frame_id)
            if wait_until(condition, 0.05):
                return True
        return condition()

    def values(self) -> dict[str, str]:
        return {item.key: item.value for item in self.diagnostics[-1].values}

    def close(self) -> None:
        self.echo.destroy_node()


@pytest.fixture
def bench(test_nodes, request):
    made = Bench(test_nodes, f"echo_{request.node.name.split('[')[0][5:30]}")
    with spinning(made.echo, made.peer):
        assert wait_until(lambda: made.input.get_subscription_count() > 0, 10.0)
        yield made
    made.close()


def test_process_runs_on_the_worker_thread_off_the_callbacks(bench):
    bench.subscribe_output()
    assert bench.send_until(lambda: len(bench.outputs) >= 3)
    assert bench.echo.process_threads == {bench.echo.get_name()}
    assert bench.echo.callback_threads and not bench.echo.callback_threads & bench.echo.process_threads


def test_an_exception_in_process_is_reported_until_the_next_input_succeeds(bench):
    bench.subscribe_output()
    assert bench.send_until(lambda: len(bench.outputs) >= 1)
    failed_before = bench.echo.worker.processed
    assert bench.send_until(lambda: bench.echo.worker.processed >= failed_before + 2, frame_id="fail")
    problems = bench.echo.problems.active()
    assert list(problems) == ["processing:RuntimeError"]
    assert "cannot echo frame 'fail'" in problems["processing:RuntimeError"]
    assert wait_until(lambda: bench.diagnostics and "cannot echo frame 'fail'" in bench.diagnostics[-1].message, 5.0)
    assert bench.diagnostics[-1].level == DiagnosticStatus.WARN
    echoed = len(bench.outputs)
    assert bench.send_until(lambda: len(bench.outputs) > echoed), "the node goes on after a failure"
    assert bench.send_until(lambda: bench.echo.problems.active() == {}), "good inputs end the problem"
    assert wait_until(lambda: bench.diagnostics[-1].level == DiagnosticStatus.OK, 5.0)


def test_diagnostics_carry_rate_latency_and_dropped_inputs(bench):
    bench.subscribe_output()
    assert bench.send_until(lambda: len(bench.outputs) >= 1)
    for _ in range(10):  # faster than the 0.3 s each takes: older ones are dropped for the newest
        bench.send("slow")
        time.sleep(0.02)
    assert wait_until(lambda: bench.diagnostics and int(bench.values()["inputs_dropped"]) >= 5
                      and int(bench.values()["inputs_processed"]) >= 2, 10.0)
    values = bench.values()
    assert float(values["rate_hz"]) > 0.0
    assert math.isfinite(float(values["latency_median_ms"])) and float(values["latency_median_ms"]) >= 0.0
    assert values["outputs_subscribed"] == "yes"
    assert bench.diagnostics[-1].level == DiagnosticStatus.OK


def test_no_work_without_a_subscriber_work_once_one_subscribes_and_none_after_it_leaves(demand_mode, bench):
    assert bench.echo.demand.uses_matched_events is demand_mode
    for _ in range(20):
        bench.send()
        time.sleep(0.05)
    assert bench.echo.worker.processed == 0, "nobody subscribes: nothing is processed"
    assert wait_until(lambda: bench.diagnostics and bench.values().get("outputs_subscribed") == "no", 5.0)
    assert bench.diagnostics[-1].level == DiagnosticStatus.OK
    assert bench.diagnostics[-1].message == "idle: no output is subscribed"

    bench.subscribe_output()
    assert bench.send_until(lambda: len(bench.outputs) >= 3)
    bench.unsubscribe_output()
    assert wait_until(lambda: not bench.echo.demand.active, 5.0)
    processed = bench.echo.worker.processed
    for _ in range(20):
        bench.send()
        time.sleep(0.05)
    assert bench.echo.worker.processed <= processed + 1, "after the last subscriber left nothing is processed"
