"""Record what an OnnxBackend feeds its ONNX Runtime session (the network input shapes of a batch), on the host
path (``run``) and on the device path (IO binding) alike."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class RecordingSession:
    """Passes calls on to an ONNX Runtime session and records the shape of every input it is given."""

    def __init__(self, session) -> None:
        self.session = session
        self.input_shapes: list[tuple[int, ...]] = []

    def run(self, output_names, feeds):
        self.input_shapes.extend(tuple(value.shape) for value in feeds.values())
        return self.session.run(output_names, feeds)

    def io_binding(self) -> RecordingBinding:
        return RecordingBinding(self.session.io_binding(), self.input_shapes)

    def run_with_iobinding(self, binding: RecordingBinding) -> None:
        self.session.run_with_iobinding(binding.binding)


class RecordingBinding:
    """An ONNX Runtime IOBinding that records the shape of every input bound to it."""

    def __init__(self, binding, input_shapes: list[tuple[int, ...]]) -> None:
        self.binding = binding
        self._input_shapes = input_shapes

    def bind_input(self, name, device_type, device_id, element_type, shape, buffer_ptr) -> None:
        self._input_shapes.append(tuple(shape))
        self.binding.bind_input(name, device_type, device_id, element_type, shape, buffer_ptr)

    def bind_output(self, *arguments) -> None:
        self.binding.bind_output(*arguments)

    def synchronize_outputs(self) -> None:
        self.binding.synchronize_outputs()


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
