"""Drive a managed node from another node through its lifecycle services, as `ros2 lifecycle` does."""
from __future__ import annotations

import rclpy
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rclpy.node import Node


class LifecycleClient:
    """Calls ``<target>/change_state`` and ``<target>/get_state`` from ``node`` (which must not be spinning
    elsewhere: each call spins it until the reply)."""

    def __init__(self, node: Node, target: str) -> None:
        self.node = node
        self.target = target
        self._change = node.create_client(ChangeState, f"{target}/change_state")
        self._get = node.create_client(GetState, f"{target}/get_state")

    def wait_for_services(self, timeout_s: float) -> bool:
        return self._change.wait_for_service(timeout_s) and self._get.wait_for_service(timeout_s)

    def state(self, timeout_s: float = 10.0) -> str | None:
        """The target's state label (unconfigured, inactive, active, finalized), None without a reply."""
        reply = self._call(self._get, GetState.Request(), timeout_s)
        return None if reply is None else reply.current_state.label

    def change(self, transition: str, timeout_s: float = 60.0) -> bool:
        """Trigger ``transition`` by label (configure, activate, deactivate, cleanup, shutdown); True when the
        node reports success."""
        reply = self._call(self._change, ChangeState.Request(transition=Transition(label=transition)), timeout_s)
        return reply is not None and reply.success

    def _call(self, client, request, timeout_s: float):
        future = client.call_async(request)
        rclpy.spin_until_future_complete(self.node, future, timeout_sec=timeout_s)
        return future.result() if future.done() else None
