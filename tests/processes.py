"""Run the `supportdesk` command as a separate process, as an operator would."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

COMMAND = shutil.which("supportdesk", path=str(Path(sys.executable).parent))
URL = re.compile(r"listening on (http://\S+?)/?(\s|$)")


def command_env(**overrides: str) -> dict[str, str]:
    """The test's environment for the command, on the embedded SQLite database.

    DATABASE_URL names the suite's database server, not a test database: a started server
    would use it as is, so processes run on their own SQLite file in SUPPORTDESK_HOME.
    """
    environ = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environ.update(overrides)
    return environ


def run(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    assert COMMAND, "the supportdesk command is not installed next to this Python"
    return subprocess.run(
        [COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=command_env(**env),
        check=False,
    )


class Running:
    """A started command whose output lines are read as they come."""

    def __init__(self, *args: str, **env: str) -> None:
        assert COMMAND, "the supportdesk command is not installed next to this Python"
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [COMMAND, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=command_env(**env),
            start_new_session=True,  # its own process group, as in a terminal
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError("the command ended first:\n" + "".join(self.lines))
            self.lines.append(line)
            if match := pattern.search(line):
                return match
        raise AssertionError(f"no {pattern.pattern!r} within {timeout}s:\n" + "".join(self.lines))

    def stop(self, sig: signal.Signals, timeout: float, *, group: bool = False) -> int:
        """Send ``sig`` and wait; returns the exit status, and keeps the rest of the output.

        ``group`` signals the whole process group, as Ctrl-C in a terminal does.
        """
        if group:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self._drain()
            raise AssertionError(
                f"still running {timeout}s after {sig.name}:\n{self.output}"
            ) from None
        self._drain()
        return status

    def _drain(self) -> None:
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def __enter__(self) -> Running:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()
