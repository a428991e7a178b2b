"""Output demand over real DDS: matched events where rclpy has them, and the subscriber count without."""
from __future__ import annotations

from ros_helpers import spinning, wait_until
from std_msgs.msg import Header, String

from monodepth_ros.ros.common import output_demand
from monodepth_ros.ros.common.output_demand import COUNT_PERIOD_S, OutputDemand


def test_demand_follows_subscribers_of_any_output(demand_mode, test_nodes):
    node, listener = test_nodes("demand_outputs"), test_nodes("demand_listener")
    changes = []
    demand = OutputDemand(node, changes.append)
    assert demand.uses_matched_events is demand_mode
    status = demand.create_publisher(String, "demand_test/status", 1)
    header = demand.create_publisher(Header, "demand_test/header", 1)
    assert demand.publishers == (status, header)
    with spinning(node, listener):
        assert not demand.active and changes == []
        first = listener.create_subscription(Header, "demand_test/header", lambda _: None, 1)
        assert wait_until(lambda: demand.active, 10.0)
        assert demand.has_subscribers(header) and not demand.has_subscribers(status)
        second = listener.create_subscription(String, "demand_test/status", lambda _: None, 1)
        assert wait_until(lambda: demand.has_subscribers(status), 10.0)
        listener.destroy_subscription(first)
        assert wait_until(lambda: not demand.has_subscribers(header), 10.0)
        assert demand.active, "status is still subscribed"
        listener.destroy_subscription(second)
        assert wait_until(lambda: not demand.active, 10.0)
    assert changes == [True, False], "on_change runs once per flip, not per subscription"


def test_a_subscriber_present_before_the_output_counts(demand_mode, test_nodes):
    node, listener = test_nodes("demand_late_output"), test_nodes("demand_early_listener")
    listener.create_subscription(String, "demand_test/early", lambda _: None, 1)
    demand = OutputDemand(node)
    with spinning(node, listener):
        demand.create_publisher(String, "demand_test/early", 1)
        assert wait_until(lambda: demand.active, 10.0)


def test_without_matched_events_the_count_is_refreshed_periodically(monkeypatch, test_nodes):
    monkeypatch.setattr(output_demand, "MATCHED_EVENTS_AVAILABLE", False)
    node, listener = test_nodes("demand_counted"), test_nodes("demand_counted_listener")
    demand = OutputDemand(node)
    publisher = demand.create_publisher(String, "demand_test/counted", 1)
    subscription = listener.create_subscription(String, "demand_test/counted", lambda _: None, 1)
    assert wait_until(lambda: publisher.get_subscription_count() > 0, 10.0)
    assert not demand.active, "nothing counts until the timer (or count_subscribers) does"
    demand.count_subscribers()
    assert demand.active
    listener.destroy_subscription(subscription)
    assert wait_until(lambda: publisher.get_subscription_count() == 0, 10.0)
    with spinning(node):
        assert wait_until(lambda: not demand.active, 10 * COUNT_PERIOD_S)
