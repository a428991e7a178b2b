"""The managed-node base over real DDS in one process: parts made on configure, work only while active, the
input in progress finished on deactivate, everything configure made released on cleanup, failures reported."""
from __future__ import annotations

import contextlib
import threading
import time

import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.parameter import Parameter
from ros_helpers import spinning, wait_until
from std_msgs.msg import Header

from monodepth_ros.ros.common.parameters import ParameterSpec
from monodepth_ros.ros.common.qos import stream_output_qos
from monodepth_ros.ros.common.shared_parameters import AUTOSTART
from monodepth_ros.ros.common.worker_node import WorkerNode
from monodepth_ros.ros.runners.pipeline_graph import AUTOSTART_PARAMETER

SUCCESS, FAILURE = TransitionCallbackReturn.SUCCESS, TransitionCallbackReturn.FAILURE
PARAMETERS = (ParameterSpec("diagnostics_period_s", 0.2, "Period of /diagnostics messages (seconds)",
                            minimum=0.1, maximum=60.0), AUTOSTART)
CONFIGURE_MADE = ("model", "output", "input_subscription", "tick_timer", "late_subscription")


class ModelEcho(WorkerNode):
    """Echoes ~/in on ~/out with a 'model' loaded on configure; frame 'slow' takes 0.3 s. Its timer subscribes
    ~/late on its first tick (a part made by a part). ``fail`` makes configure raise after making its outputs."""

    def __init__(self, name: str, autostart: bool = True, fail: bool = False) -> None:
        self.fail = fail
        self.loads = 0
        self.processing = threading.Event()
        super().__init__(name, PARAMETERS, "echo", parameter_overrides=[Parameter(AUTOSTART.name, value=autostart)])

    def configure(self) -> None:
        self.loads += 1
        self.model = object()
        self.output = self.create_output_publisher(Header, "~/out", stream_output_qos())
        if self.fail:
            raise ValueError("no such model file")
        self.input_subscription = self.create_subscription(Header, "~/in", self.submit, stream_output_qos(depth=10))
        self.late_subscription = None
        self.tick_timer = self.create_timer(0.05, self.on_tick)

    def on_tick(self) -> None:
        if self.late_subscription is None:
            self.late_subscription = self.create_subscription(Header, "~/late", lambda header: None, 1)

    def process(self, header: Header) -> None:
        self.processing.set()
        if header.frame_id == "slow":
            time.sleep(0.3)
        self.output.publish(header)


class Peer:
    """Feeds ~/in of a ModelEcho, collects its ~/out and its /diagnostics statuses."""

    def __init__(self, test_nodes, name: str) -> None:
        self.node = test_nodes(f"{name}_peer")
        self.name = name
        self.input = self.node.create_publisher(Header, f"/{name}/in", stream_output_qos(depth=10))
        self.outputs: list[Header] = []
        self.statuses: list[DiagnosticStatus] = []
        self.node.create_subscription(Header, f"/{name}/out", self.outputs.append, stream_output_qos(depth=10))
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, 20)

    def on_diagnostics(self, array: DiagnosticArray) -> None:
        self.statuses += [status for status in array.status if status.hardware_id == f"/{self.name}"]

    def send(self, frame_id: str = "ok") -> None:
        self.input.publish(Header(frame_id=frame_id, stamp=self.node.get_clock().now().to_msg()))

    def send_until(self, condition, timeout_s: float = 10.0, frame_id: str = "ok") -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.send(frame_id)
            if wait_until(condition, 0.05):
                return True
        return condition()

    def state_reported(self, state: str, timeout_s: float = 5.0) -> bool:
        return wait_until(lambda: self.statuses and {value.key: value.value for value in
                                                     self.statuses[-1].values}["lifecycle_state"] == state,
                          timeout_s)


def topics(entities) -> set[str]:
    return {entity.topic_name for entity in entities}


@pytest.fixture
def made(ros_context, test_nodes, request):
    """``make(**options)`` -> (ModelEcho, Peer), spinning; destroyed afterwards."""
    nodes = []
    with contextlib.ExitStack() as spinners:

        def make(**options):
            name = f"managed_{request.node.name.split('[')[0][5:40]}_{len(nodes)}"
            nodes.append(ModelEcho(name, **options))
            peer = Peer(test_nodes, name)
            spinners.enter_context(spinning(nodes[-1], peer.node))
            return nodes[-1], peer

        yield make
    for node in nodes:
        node.destroy_node()


def test_the_graph_names_the_shared_autostart_parameter():
    assert AUTOSTART_PARAMETER == AUTOSTART.name and AUTOSTART.default is True and AUTOSTART.read_only


def test_autostart_runs_the_node_at_once_and_false_waits_for_configure_and_activate(made):
    started, _ = made()
    assert started.lifecycle_state == "active" and started.loads == 1
    node, peer = made(autostart=False)
    assert node.lifecycle_state == "unconfigured" and node.loads == 0 and not hasattr(node, "model")
    assert f"/{node.get_name()}/out" not in topics(node.publishers)
    assert peer.state_reported("unconfigured")
    assert peer.statuses[-1].level == DiagnosticStatus.OK and "configure" in peer.statuses[-1].message

    assert node.trigger_configure() == SUCCESS and node.lifecycle_state == "inactive"
    assert f"/{node.get_name()}/out" in topics(node.publishers) and node.loads == 1
    assert wait_until(lambda: peer.input.get_subscription_count() == 1, 5.0)
    assert not peer.send_until(lambda: peer.outputs, 1.0), "an inactive node does no work"
    assert node.worker.processed == 0 and peer.state_reported("inactive")

    assert node.trigger_activate() == SUCCESS and node.lifecycle_state == "active"
    assert peer.send_until(lambda: len(peer.outputs) >= 3)
    assert peer.state_reported("active")


def test_deactivate_publishes_the_input_in_progress_then_stops_work_and_keeps_the_model(made):
    node, peer = made()
    model = node.model
    assert peer.send_until(lambda: peer.outputs)
    node.processing.clear()
    peer.send("slow")
    assert node.processing.wait(5.0)
    processed = node.worker.processed
    assert node.trigger_deactivate() == SUCCESS
    assert node.worker.processed == processed + 1 and not node.worker.running, "deactivate waited for it"
    assert wait_until(lambda: peer.outputs[-1].frame_id == "slow", 5.0), "published before the outputs went off"
    received = len(peer.outputs)
    assert not peer.send_until(lambda: len(peer.outputs) > received, 1.0)
    assert node.model is model and node.loads == 1, "the model is kept"
    assert node.trigger_activate() == SUCCESS
    assert peer.send_until(lambda: len(peer.outputs) > received) and node.loads == 1


def test_cleanup_releases_everything_configure_and_its_parts_made_and_configure_makes_it_again(made):
    node, peer = made()
    assert wait_until(lambda: node.late_subscription is not None, 5.0), "the timer made a subscription"
    assert peer.send_until(lambda: peer.outputs)
    name = f"/{node.get_name()}"
    assert {f"{name}/in", f"{name}/late"} <= topics(node.subscriptions)
    assert node.trigger_deactivate() == SUCCESS and node.trigger_cleanup() == SUCCESS
    assert node.lifecycle_state == "unconfigured"
    assert not {f"{name}/in", f"{name}/late"} & topics(node.subscriptions)
    assert f"{name}/out" not in topics(node.publishers) and node.demand.publishers == ()
    assert "/diagnostics" in topics(node.publishers), "what the base made lives on"
    assert not [attribute for attribute in CONFIGURE_MADE if hasattr(node, attribute)]
    assert peer.state_reported("unconfigured"), "the node still reports its state"
    timers = len(list(node.timers))

    assert node.trigger_configure() == SUCCESS and node.trigger_activate() == SUCCESS and node.loads == 2
    assert peer.send_until(lambda: len(peer.outputs) >= 3)
    assert len(list(node.timers)) == timers + 1


def test_a_failing_configure_releases_what_it_made_and_reports_why(made, ros_context):
    node, peer = made(autostart=False, fail=True)
    assert node.trigger_configure() == FAILURE and node.lifecycle_state == "unconfigured"
    assert f"/{node.get_name()}/out" not in topics(node.publishers) and not hasattr(node, "model")
    assert "no such model file" in node.lifecycle_problem
    assert wait_until(lambda: peer.statuses and peer.statuses[-1].level == DiagnosticStatus.WARN, 5.0)
    assert "configure failed (ValueError: no such model file)" in peer.statuses[-1].message
    with pytest.raises(ValueError, match="no such model file"):
        ModelEcho("managed_autostart_failure", fail=True)


def test_destroying_a_busy_active_node_finishes_its_input_and_stops_the_worker(ros_context, test_nodes):
    node = ModelEcho("managed_destroyed_busy")
    peer = Peer(test_nodes, "managed_destroyed_busy")
    with spinning(node, peer.node):
        assert peer.send_until(lambda: peer.outputs)
        node.processing.clear()
        peer.send("slow")
        assert node.processing.wait(5.0)
        processed = node.worker.processed
    node.destroy_node()
    assert node.lifecycle_state == "finalized"
    assert node.worker.processed == processed + 1 and not node.worker.running
