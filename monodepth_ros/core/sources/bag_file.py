"""Recorded rosbag2 bags (mcap or sqlite3) read and written without ROS, with the ``rosbags`` library.

Messages stay CDR bytes (what rclpy's serialize_message / deserialize_message take); this module reads the header
stamp of a message from those bytes, picks topics by message type, and reads and writes the static transforms of
``/tf_static`` with the rosbags type store.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability, QosTime
from rosbags.rosbag2 import Reader, StoragePlugin, Writer
from rosbags.typesys import Stores, get_typestore

from monodepth_ros.core.camera.transforms import invert, make_transform, matrix_to_quaternion, quaternion_to_matrix

IMAGE_TYPE = "sensor_msgs/msg/Image"
CAMERA_INFO_TYPE = "sensor_msgs/msg/CameraInfo"
POINTCLOUD_TYPE = "sensor_msgs/msg/PointCloud2"
ODOMETRY_TYPE = "nav_msgs/msg/Odometry"
TF_TYPE = "tf2_msgs/msg/TFMessage"
TF_STATIC_TOPIC = "/tf_static"
STORAGES = {"mcap": StoragePlugin.MCAP, "sqlite3": StoragePlugin.SQLITE3}
"""Storage plugins a bag can be written with (rosbag2's names)."""
TYPESTORE = get_typestore(Stores.ROS2_KILTED)
"""Message definitions and hashes written into new bags, and the decoder of /tf_static."""
_NO_TIME = QosTime(0, 0)


class BagError(Exception):
    """A bag that cannot be read or written; the message is one line for the user."""


def stream_qos(durability: QosDurability = QosDurability.VOLATILE, depth: int = 1) -> Qos:
    """The QoS a publisher offered, as rosbag2 records it: reliable, keep last ``depth``."""
    return Qos(QosHistory.KEEP_LAST, depth, QosReliability.RELIABLE, durability, _NO_TIME, _NO_TIME,
               QosLiveliness.AUTOMATIC, _NO_TIME, False)


LATCHED_QOS = stream_qos(QosDurability.TRANSIENT_LOCAL)
"""Latched outputs (costmap, /tf_static): late subscribers get the last message."""


def header_stamp_ns(data: bytes | memoryview) -> int:
    """Stamp (integer nanoseconds) of a CDR message that starts with a std_msgs/Header (Image, CameraInfo,
    PointCloud2, Odometry, ...): the int32 seconds and uint32 nanoseconds after the 4-byte encapsulation."""
    if len(data) < 12:
        raise BagError(f"a message of {len(data)} bytes is too short to hold a header")
    order = "<" if data[1] & 1 else ">"
    seconds, nanoseconds = struct.unpack_from(order + "iI", data, 4)
    return seconds * 1_000_000_000 + nanoseconds


@dataclass(frozen=True)
class BagMessage:
    """One recorded message: topic, type (``sensor_msgs/msg/Image``), log time (ns) and CDR bytes."""

    topic: str
    msgtype: str
    log_time_ns: int
    data: bytes


class BagReader:
    """A rosbag2 bag (a folder with metadata.yaml, or a single .mcap / .db3 file) open for reading."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise BagError(f"no bag at {self.path}")
        try:
            self._reader = Reader(self.path)
            self._reader.open()
        except Exception as error:  # noqa: BLE001 - rosbags raises many kinds for broken files
            raise BagError(f"cannot read bag {self.path}: {_one_line(error)}") from error
        self.topics: dict[str, str] = {connection.topic: connection.msgtype
                                       for connection in self._reader.connections}
        """Message type of every topic."""

    def __enter__(self) -> BagReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._reader.close()

    def message_count(self, topics: Iterable[str]) -> int:
        wanted = set(topics)
        return sum(connection.msgcount for connection in self._reader.connections if connection.topic in wanted)

    def offered_qos(self, topic: str) -> Sequence[Qos]:
        """The QoS profiles the recorded publishers of ``topic`` offered (may be empty)."""
        profiles: list[Qos] = []
        for connection in self._reader.connections:
            if connection.topic == topic:
                profiles.extend(getattr(connection.ext, "offered_qos_profiles", []))
        return profiles

    def messages(self, topics: Iterable[str] | None = None) -> Iterator[BagMessage]:
        """The messages of ``topics`` (all when None) in log-time order; a damaged bag raises BagError."""
        wanted = None if topics is None else set(topics)
        connections = [connection for connection in self._reader.connections
                       if wanted is None or connection.topic in wanted]
        if not connections:
            return
        try:
            for connection, log_time_ns, data in self._reader.messages(connections=connections):
                yield BagMessage(connection.topic, connection.msgtype, log_time_ns, bytes(data))
        except BagError:
            raise
        except Exception as error:  # noqa: BLE001 - a truncated or corrupt file fails inside rosbags
            raise BagError(f"cannot read bag {self.path}: {_one_line(error)}") from error

    def static_transforms(self) -> dict[str, tuple[str, np.ndarray]]:
        """``/tf_static``: child frame -> (parent frame, parent_from_child 4x4); empty without that topic."""
        transforms: dict[str, tuple[str, np.ndarray]] = {}
        if self.topics.get(TF_STATIC_TOPIC) != TF_TYPE:
            return transforms
        for message in self.messages([TF_STATIC_TOPIC]):
            for stamped in TYPESTORE.deserialize_cdr(message.data, TF_TYPE).transforms:
                rotation, translation = stamped.transform.rotation, stamped.transform.translation
                transforms[stamped.child_frame_id] = (stamped.header.frame_id, make_transform(
                    quaternion_to_matrix(rotation.x, rotation.y, rotation.z, rotation.w),
                    [translation.x, translation.y, translation.z]))
        return transforms


def lookup_static(transforms: dict[str, tuple[str, np.ndarray]], target: str, source: str) -> np.ndarray | None:
    """target_from_source 4x4 through the tree of ``static_transforms``; None when they are not connected."""
    target_chain = _chain_to_root(transforms, target)
    source_chain = _chain_to_root(transforms, source)
    common = next((frame for frame in source_chain if frame in target_chain), None)
    if common is None:
        return None
    return invert(target_chain[common]) @ source_chain[common]


def _chain_to_root(transforms: dict[str, tuple[str, np.ndarray]], frame: str) -> dict[str, np.ndarray]:
    """ancestor -> ancestor_from_frame for ``frame`` and each of its ancestors (nearest first)."""
    chain = {frame: np.eye(4)}
    current = frame
    while current in transforms:
        parent, parent_from_current = transforms[current]
        if parent in chain:
            break
        chain[parent] = parent_from_current @ chain[current]
        current = parent
    return chain


def choose_topic(topics: dict[str, str], msgtype: str, given: str | None, option: str,
                 required: bool = True) -> str | None:
    """The topic of type ``msgtype``: ``given`` (checked), else the bag's only one; None when the bag has none
    and it is not ``required``. Raises BagError naming the candidates and the ``option`` that chooses."""
    if given:
        if given not in topics:
            raise BagError(f"the bag has no topic {given} ({option}); its topics: {', '.join(sorted(topics))}")
        if topics[given] != msgtype:
            raise BagError(f"{given} ({option}) holds {topics[given]}, not {msgtype}")
        return given
    candidates = sorted(topic for topic, kind in topics.items() if kind == msgtype)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        if required:
            raise BagError(f"the bag has no {msgtype} topic")
        return None
    raise BagError(f"the bag has {len(candidates)} {msgtype} topics ({', '.join(candidates)}): choose one with "
                   f"{option}")


class BagWriter:
    """A new rosbag2 bag folder written with ``storage`` (mcap or sqlite3); the folder must not exist."""

    def __init__(self, path: str | Path, storage: str = "mcap") -> None:
        self.path = Path(path)
        if self.path.exists():
            raise BagError(f"{self.path} exists already; choose a new output folder")
        try:
            self._writer = Writer(self.path, version=Writer.VERSION_LATEST, storage_plugin=STORAGES[storage])
            self._writer.open()
        except Exception as error:  # noqa: BLE001 - e.g. a parent folder without write permission
            raise BagError(f"cannot write bag {self.path}: {_one_line(error)}") from error
        self._connections = {}

    def __enter__(self) -> BagWriter:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._writer.close()

    def add_topic(self, topic: str, msgtype: str, qos: Qos | None = None) -> None:
        """Declare ``topic`` (once) with the QoS its publisher offered (default: reliable, volatile, depth 1)."""
        if topic not in self._connections:
            self._connections[topic] = self._writer.add_connection(
                topic, msgtype, typestore=TYPESTORE, offered_qos_profiles=[qos or stream_qos()])

    def write(self, topic: str, log_time_ns: int, data: bytes) -> None:
        self._writer.write(self._connections[topic], log_time_ns, data)


def tf_static_cdr(transforms: Sequence[tuple[str, str, np.ndarray]], stamp_ns: int) -> bytes:
    """A tf2_msgs/TFMessage (CDR) of (parent, child, parent_from_child 4x4) transforms, all stamped ``stamp_ns``."""
    types = TYPESTORE.types
    header_type, stamp_type = types["std_msgs/msg/Header"], types["builtin_interfaces/msg/Time"]
    stamped = []
    for parent, child, parent_from_child in transforms:
        qx, qy, qz, qw = matrix_to_quaternion(parent_from_child[:3, :3])
        x, y, z = (float(value) for value in parent_from_child[:3, 3])
        stamped.append(types["geometry_msgs/msg/TransformStamped"](
            header=header_type(stamp=stamp_type(sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000),
                               frame_id=parent),
            child_frame_id=child,
            transform=types["geometry_msgs/msg/Transform"](
                translation=types["geometry_msgs/msg/Vector3"](x=x, y=y, z=z),
                rotation=types["geometry_msgs/msg/Quaternion"](x=qx, y=qy, z=qz, w=qw))))
    return bytes(TYPESTORE.serialize_cdr(types[TF_TYPE](transforms=stamped), TF_TYPE))


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
