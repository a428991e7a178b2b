"""monodepth-bag play: publish a recorded bag into the live ROS graph at its recorded rate.

Each topic gets a publisher with the QoS its recorded publisher offered (reliability, durability, history; see
monodepth_ros.ros.bags.messages.qos_profile_from) and its messages go out as the recorded CDR bytes, spaced as
their log times were (divided by ``--rate``). Topics whose message package is not installed (e.g. /tf_static
without tf2_msgs) are skipped with a note. Fast DDS gets the shipped large-message profile, as the nodes do.
``--ros-args`` after the options reach rclpy (remappings, namespace).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import rclpy
from rclpy.duration import Duration

from monodepth_ros.core.sources.bag_file import BagReader
from monodepth_ros.ros.bags.messages import message_class, qos_profile_from
from monodepth_ros.ros.common.dds_profile import use_large_message_profile
from monodepth_ros.ros.conversions.errors import ConversionError

ACK_TIMEOUT_S = 5.0
"""How long the reliable subscribers get at the end to acknowledge the last messages."""
SUBSCRIBER_POLL_S = 0.05


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monodepth-bag play", description=__doc__.splitlines()[0])
    parser.add_argument("bag", type=Path, help="a rosbag2 folder, or its .mcap / .db3 file")
    parser.add_argument("--rate", type=float, default=1.0, help="playback speed factor (default 1: recorded rate)")
    parser.add_argument("--loop", action="store_true", help="start again at the end, until Ctrl-C")
    parser.add_argument("--topics", nargs="+", metavar="TOPIC", help="play only these topics (default: all)")
    parser.add_argument("--delay", type=float, default=0.0, metavar="S",
                        help="seconds between creating the publishers and the first message, for subscribers to "
                             "connect (default 0)")
    parser.add_argument("--wait-for-subscribers", action="store_true",
                        help="before the first message, wait until every played topic has a subscriber")
    return parser


def play_main(argv: list[str]) -> int:
    ros_arguments = argv[argv.index("--ros-args"):] if "--ros-args" in argv else []
    args = build_parser().parse_args(argv[:len(argv) - len(ros_arguments)])
    if args.rate <= 0.0 or args.delay < 0.0:
        raise ValueError("--rate must be positive and --delay not negative")
    with BagReader(args.bag) as reader:
        unknown = sorted(set(args.topics or ()) - set(reader.topics))
        if unknown:
            raise ValueError(f"the bag has no topic {', '.join(unknown)}; its topics: "
                             f"{', '.join(sorted(reader.topics))}")
        use_large_message_profile()
        rclpy.init(args=["monodepth_bag_play", *ros_arguments])
        node = rclpy.create_node("bag_player")
        try:
            publishers = {}
            for topic in args.topics or sorted(reader.topics):
                msgtype = reader.topics[topic]
                try:
                    publishers[topic] = node.create_publisher(message_class(msgtype), topic,
                                                              qos_profile_from(reader.offered_qos(topic)))
                except ConversionError as error:
                    print(f"skipping {topic}: {error}", file=sys.stderr)
            if args.wait_for_subscribers:
                wait_for_subscribers(publishers)
            time.sleep(args.delay)
            played = 0
            started = time.monotonic()
            while True:
                played += play_once(reader, publishers, args.rate)
                if not args.loop:
                    break
            for publisher in publishers.values():
                publisher.wait_for_all_acked(Duration(seconds=ACK_TIMEOUT_S))
            print(f"played {played} messages on {len(publishers)} topics in {time.monotonic() - started:.2f} s",
                  file=sys.stderr)
        except KeyboardInterrupt:
            pass
        finally:
            node.destroy_node()
            rclpy.try_shutdown()
    return 0


def wait_for_subscribers(publishers: dict) -> None:
    """Block until each publisher is matched by a subscription (Ctrl-C ends the wait)."""
    while not all(publisher.get_subscription_count() > 0 for publisher in publishers.values()):
        time.sleep(SUBSCRIBER_POLL_S)


def play_once(reader: BagReader, publishers: dict, rate: float) -> int:
    """Publish every message of the ``publishers``' topics once, at ``rate`` times the recorded pace; returns
    how many were published."""
    if not publishers:
        return 0
    started = time.monotonic()
    first_log_time_ns = None
    count = 0
    for message in reader.messages(publishers):
        if first_log_time_ns is None:
            first_log_time_ns = message.log_time_ns
        wait_s = started + (message.log_time_ns - first_log_time_ns) / 1e9 / rate - time.monotonic()
        if wait_s > 0.0:
            time.sleep(wait_s)
        publishers[message.topic].publish(message.data)
        count += 1
    return count
