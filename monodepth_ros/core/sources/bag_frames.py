"""Camera frames of a recorded bag, each with the messages of other topics nearest to it in header stamp.

A first pass reads the header stamps of the partner topics (camera_info, LiDAR, odometry); the second pass
reads the bag in log-time order and hands out an image as soon as every partner message it is paired with has
been read, so the pairing does not depend on which of the two was recorded first.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Iterator, Mapping

from monodepth_ros.core.runtime.stamped_buffer import StampedBuffer
from monodepth_ros.core.sources.bag_file import BagMessage, BagReader, header_stamp_ns


@dataclass(frozen=True)
class Partner:
    """A topic paired with the images: the message whose header stamp is nearest the image's within
    ``tolerance_ns``; with ``newest_when_unmatched``, else the newest one read so far (camera_info)."""

    topic: str
    tolerance_ns: int
    newest_when_unmatched: bool = False


@dataclass(frozen=True)
class BagFrame:
    """One image (CDR), its header stamp (ns) and, per partner name, the paired message or None."""

    image: BagMessage
    stamp_ns: int
    partners: dict[str, BagMessage | None] = field(default_factory=dict)


def paired_frames(reader: BagReader, image_topic: str, partners: Mapping[str, Partner]) -> Iterator[BagFrame]:
    """Every image of ``image_topic`` in log-time order with its paired ``partners`` messages."""
    indexes = {name: _stamp_index(reader, partner.topic) for name, partner in partners.items()}
    received: dict[str, dict[int, BagMessage]] = {name: {} for name in partners}
    newest: dict[str, BagMessage | None] = {name: None for name in partners}
    by_topic = collections.defaultdict(list)
    for name, partner in partners.items():
        by_topic[partner.topic].append(name)
    pending: collections.deque[tuple[BagMessage, int, dict[str, int | None]]] = collections.deque()

    def wanted(stamp: int) -> dict[str, int | None]:
        return {name: indexes[name].match(stamp, partner.tolerance_ns) for name, partner in partners.items()}

    def ready(needs: dict[str, int | None]) -> bool:
        return all(need is None or need in received[name] for name, need in needs.items())

    def frame(image: BagMessage, stamp: int, needs: dict[str, int | None]) -> BagFrame:
        paired = {}
        for name, need in needs.items():
            message = received[name].get(need) if need is not None else None
            if message is None and partners[name].newest_when_unmatched:
                message = newest[name]
            paired[name] = message
            horizon = stamp - partners[name].tolerance_ns
            for old in [key for key in received[name] if key < horizon and key != need]:
                del received[name][old]
        return BagFrame(image, stamp, paired)

    for message in reader.messages({image_topic, *by_topic}):
        if message.topic == image_topic:
            stamp = header_stamp_ns(message.data)
            pending.append((message, stamp, wanted(stamp)))
        for name in by_topic.get(message.topic, ()):
            received[name][header_stamp_ns(message.data)] = message
            newest[name] = message
        while pending and ready(pending[0][2]):
            yield frame(*pending.popleft())
    while pending:
        yield frame(*pending.popleft())


def _stamp_index(reader: BagReader, topic: str) -> StampedBuffer[int]:
    """The header stamps of ``topic``, each stored as its own item."""
    stamps = [header_stamp_ns(message.data) for message in reader.messages([topic])]
    index: StampedBuffer[int] = StampedBuffer(capacity=max(len(stamps), 1))
    for stamp in stamps:
        index.add(stamp, stamp)
    return index
