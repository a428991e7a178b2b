"""Managed (lifecycle) node base: what a node works with is made on configure and released on cleanup, and with
the ``autostart`` parameter (default true) the node configures and activates itself at start-up like a plain node.

States and transitions are those of ROS 2 managed nodes (rclpy.lifecycle, as in ros2/demos lifecycle_py):
unconfigured -configure-> inactive -activate-> active -deactivate-> inactive -cleanup-> unconfigured, and
shutdown -> finalized from any of them. The lifecycle services (``<node>/change_state``, ``<node>/get_state``, ...)
let ``ros2 lifecycle set <node> configure`` or a lifecycle manager (Nav2's) drive the node.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Callable, Iterator

from lifecycle_msgs.msg import State
from rclpy.client import Client
from rclpy.guard_condition import GuardCondition
from rclpy.lifecycle import LifecycleNode, LifecyclePublisher, LifecycleState, TransitionCallbackReturn
from rclpy.publisher import Publisher
from rclpy.service import Service
from rclpy.subscription import Subscription
from rclpy.timer import Timer

from monodepth_ros.ros.common.shared_parameters import AUTOSTART

SUCCESS, FAILURE = TransitionCallbackReturn.SUCCESS, TransitionCallbackReturn.FAILURE
CALLBACK_DRAIN_TIMEOUT_S = 5.0
"""Longest wait on release for callbacks of the parts still running on other executor threads (seconds)."""
DESTROY_METHODS = ((LifecyclePublisher, "destroy_lifecycle_publisher"), (Publisher, "destroy_publisher"),
                   (Subscription, "destroy_subscription"), (Timer, "destroy_timer"), (Client, "destroy_client"),
                   (Service, "destroy_service"), (GuardCondition, "destroy_guard_condition"))
"""How each kind of entity a node makes is destroyed, subclasses before their base classes."""


class _Parts:
    """What ``configure`` made (node entities, attribute names) and the gate of their callbacks: those run only
    while the parts exist, and closing the gate waits for the ones under way."""

    def __init__(self) -> None:
        self.entities: list = []
        self.attributes: set[str] = set()
        self._condition = threading.Condition()
        self._open = False
        self._running = 0
        self._local = threading.local()

    @property
    def making(self) -> bool:
        """True on a thread running ``configure`` or a callback of a part: what it creates is a part too."""
        return getattr(self._local, "making", False)

    @contextlib.contextmanager
    def made_here(self) -> Iterator[None]:
        previous, self._local.making = self.making, True
        try:
            yield
        finally:
            self._local.making = previous

    def gated(self, callback: Callable | None) -> Callable | None:
        """``callback``, run only while the gate is open (None otherwise), when a part is being made."""
        if callback is None or not self.making:
            return callback

        @functools.wraps(callback)  # keeps the signature rclpy inspects (message info, timer info)
        def run(*args, **kwargs):
            with self._condition:
                if not self._open:
                    return None
                self._running += 1
            try:
                with self.made_here():
                    return callback(*args, **kwargs)
            finally:
                with self._condition:
                    self._running -= 1
                    self._condition.notify_all()

        return run

    def adopt(self, entity):
        """Count ``entity`` among the parts when it is made by one; returns it."""
        if self.making and all(entity is not known for known in self.entities):
            self.entities.append(entity)
        return entity

    def open(self) -> None:
        with self._condition:
            self._open = True

    def close(self) -> None:
        with self._condition:
            self._open = False
            self._condition.wait_for(lambda: self._running == 0, CALLBACK_DRAIN_TIMEOUT_S)


class ManagedNode(LifecycleNode):
    """A managed node whose parts live from configure to cleanup.

    A node class makes everything it works with in ``configure``: model, publishers
    (``create_lifecycle_publisher``, which publish only while the node is active), subscriptions, timers and the
    attributes holding them. On cleanup and shutdown every publisher, subscription, timer, client, service and
    guard condition made there (or later by callbacks of those parts) is destroyed and every attribute set there
    is dropped, which releases the model; callbacks of the parts run only while the parts exist. ``activate`` and
    ``deactivate`` start and stop work (overrides call ``super()``); ``cleanup`` releases what the automatic
    release does not cover. An exception raised by ``configure`` or ``activate`` fails that transition: the node
    stays where it was and logs why.

    The constructor of the class that derives from this one ends with ``start_up()``, which configures and
    activates the node unless its ``autostart`` parameter (shared_parameters.AUTOSTART) is false.
    """

    def __init__(self, node_name: str, **kwargs) -> None:
        self._parts = _Parts()
        self._state = "unconfigured"
        self._failure: BaseException | None = None
        self._quiet = False
        self.lifecycle_problem = ""
        """Why the last configure or activate failed ('' after one succeeded)."""
        super().__init__(node_name, **kwargs)

    @property
    def lifecycle_state(self) -> str:
        """unconfigured, inactive, active or finalized."""
        return self._state

    @property
    def configured(self) -> bool:
        """True while the parts exist (inactive or active)."""
        return self._state in ("inactive", "active")

    def configure(self) -> None:
        """Make the node's parts (model, publishers, subscriptions, timers); raise to fail the transition."""

    def activate(self) -> None:
        """Start work: the parts exist and lifecycle publishers are enabled."""

    def deactivate(self) -> None:
        """Stop work and keep the parts; lifecycle publishers are disabled right after."""

    def cleanup(self) -> None:
        """Release what the automatic release of the parts does not cover; runs before it."""

    def parts_released(self) -> None:
        """Runs once the parts are gone: bases that keep track of some of them forget them here."""

    def start_up(self) -> None:
        """Configure and activate now unless the ``autostart`` parameter is false; raises what made configure or
        activate fail."""
        if self.has_parameter(AUTOSTART.name) and not self.get_parameter(AUTOSTART.name).value:
            self.get_logger().info(f"autostart is false: unconfigured until a lifecycle manager or `ros2 lifecycle "
                                   f"set {self.get_fully_qualified_name()} configure` (then activate) starts it")
            return
        with self._quietly():
            for trigger in (self.trigger_configure, self.trigger_activate):
                if trigger() != SUCCESS:
                    raise self._failure or RuntimeError(f"{trigger.__name__} failed")

    def create_subscription(self, msg_type, topic, callback, *args, **kwargs) -> Subscription:
        return self._parts.adopt(super().create_subscription(msg_type, topic, self._parts.gated(callback),
                                                             *args, **kwargs))

    def create_timer(self, timer_period_sec, callback, *args, **kwargs) -> Timer:
        return self._parts.adopt(super().create_timer(timer_period_sec, self._parts.gated(callback), *args,
                                                      **kwargs))

    def create_lifecycle_publisher(self, *args, **kwargs) -> LifecyclePublisher:
        """A publisher that publishes only while the node is active (enabled at once when it is active now)."""
        publisher = super().create_lifecycle_publisher(*args, **kwargs)
        if self._state == "active":
            publisher.on_activate(LifecycleState(label="active", state_id=State.PRIMARY_STATE_ACTIVE))
        return publisher

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        entities_before, attributes_before = self._entities(), set(vars(self))
        failure = None
        with self._parts.made_here():
            try:
                self.configure()
            except Exception as error:  # noqa: BLE001 - the transition fails with the reason; the node lives on
                failure = error
            for entity in self._entities():
                if all(entity is not known for known in entities_before):
                    self._parts.adopt(entity)
        self._parts.attributes = set(vars(self)) - attributes_before
        if failure is not None:
            self._release_parts()
            return self._failed("configure", failure)
        self._parts.open()
        super().on_configure(state)
        return self._enter("inactive")

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        super().on_activate(state)
        try:
            self.activate()
        except Exception as error:  # noqa: BLE001
            super().on_deactivate(state)
            return self._failed("activate", error)
        return self._enter("active")

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._stop_work(state)
        return self._enter("inactive")

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._release_parts()
        return self._enter("unconfigured")

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._wind_down(state)
        super().on_shutdown(state)
        return self._enter("finalized")

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._wind_down(state)
        return self._enter("unconfigured")

    def destroy_node(self) -> None:
        """Shut down (stop work, release the parts) without a word, then destroy the node."""
        if self._state != "finalized":
            with self._quietly():
                try:
                    if not self.context.ok():
                        raise RuntimeError("context is shut down: no transition")
                    self.trigger_shutdown()
                except Exception:  # noqa: BLE001 - no transition possible: release directly
                    self._wind_down(LifecycleState(label=self._state, state_id=State.PRIMARY_STATE_UNKNOWN))
                    self._state = "finalized"
        super().destroy_node()

    def _entities(self) -> list:
        return [*self.publishers, *self.subscriptions, *self.timers, *self.clients, *self.services, *self.guards]

    def _stop_work(self, state: LifecycleState) -> None:
        try:
            self.deactivate()
        except Exception as error:  # noqa: BLE001 - deactivation goes on
            self.get_logger().error(f"deactivate failed ({type(error).__name__}: {error})")
        super().on_deactivate(state)

    def _release_parts(self) -> None:
        if self.configured:
            try:
                self.cleanup()
            except Exception as error:  # noqa: BLE001 - the parts are released anyway
                self.get_logger().error(f"cleanup failed ({type(error).__name__}: {error}); releasing the parts")
        self._parts.close()
        # inputs first, so that nothing new arrives while the outputs go
        for entity in sorted(self._parts.entities, key=lambda each: not isinstance(each, (Subscription, Timer))):
            for kind, method in DESTROY_METHODS:
                if isinstance(entity, kind):
                    getattr(self, method)(entity)
                    break
        for name in self._parts.attributes:
            vars(self).pop(name, None)
        self._parts = _Parts()
        self.parts_released()

    def _wind_down(self, state: LifecycleState) -> None:
        if self._state == "active":
            self._stop_work(state)
        if self.configured:
            self._release_parts()

    def _enter(self, state: str) -> TransitionCallbackReturn:
        self._state = state
        if state in ("inactive", "active"):
            self.lifecycle_problem = ""
        if not self._quiet:
            self.get_logger().info(f"lifecycle state: {state}")
        return SUCCESS

    def _failed(self, transition: str, error: BaseException) -> TransitionCallbackReturn:
        self._failure = error
        self.lifecycle_problem = f"{transition} failed ({type(error).__name__}: {error})"
        if not self._quiet:
            self.get_logger().error(f"{self.lifecycle_problem}; the node stays {self._state}")
        return FAILURE

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Transitions of start-up and destruction log nothing (a plain node's start and Ctrl-C)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False
