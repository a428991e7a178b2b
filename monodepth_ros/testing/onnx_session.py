"""Record what an OnnxBackend feeds its ONNX Runtime session (the network input shapes of a batch)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class RecordingSession:
    """Passes ``run`` on to an ONNX Runtime session and records the shape of every input it is given."""

    def __init__(self, session) -> None:
        self.session = session
        self.input_shapes: list[tuple[int, ...]] = []

    def run(self, output_names, feeds):
        self.input_shapes.extend(tuple(value.shape) for value in feeds.values())
        return self.session.run(output_names, feeds)


@contextmanager
def recorded_inputs(backend) -> Iterator[list[tuple[int, ...]]]:
    """Within the block, the input shapes (N, 3, h, w) of every run of ``backend``'s session, in order."""
    session = backend._session
    recorder = RecordingSession(session)
    backend._session = recorder
    try:
        yield recorder.input_shapes
    finally:
        backend._session = session
