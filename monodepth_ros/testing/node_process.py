"""Run a node module as its own process (what `ros2 run` does), with its output in a log file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def parameter_text(value) -> str:
    """A parameter value as `--ros-args -p name:=value` takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(parameter_text(item) for item in value) + "]"
    return str(value)


class NodeProcess:
    """``python -m MODULE [arguments] --ros-args -p ... -r ...`` with stdout and stderr in ``log_path``."""

    def __init__(self, module: str, log_path: Path, parameters: dict | None = None,
                 remappings: dict | None = None, arguments: tuple[str, ...] = (), cwd: Path | None = None) -> None:
        command = [sys.executable, "-m", module, *arguments, "--ros-args"]
        for name, value in (parameters or {}).items():
            command += ["-p", f"{name}:={parameter_text(value)}"]
        for source, target in (remappings or {}).items():
            command += ["-r", f"{source}:={target}"]
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, cwd=cwd,
                                        env=dict(os.environ))

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self, last_lines: int | None = None) -> str:
        """The log so far (its last ``last_lines`` lines when given)."""
        self._log.flush()
        lines = self.log_path.read_text().splitlines()
        return "\n".join(lines[-last_lines:] if last_lines else lines)

    def stop(self, timeout_s: float = 15.0) -> int:
        """SIGINT (a clean ROS shutdown), then SIGKILL after ``timeout_s``; returns the exit code."""
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode
