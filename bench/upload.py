"""Benchmark: uploading a log bundle through the real server, against a plain file copy.

    .venv/bin/python bench/upload.py [--quick] [--size-mb N] [--chunk-mb N]

(after ``make sync``, or ``make bench-upload``).  Makes a file of log lines (2 GiB; 256 MiB
with ``--quick``), copies it once with a plain read/write loop and an fsync (the peer: what
the disk and page cache allow), then starts the real server (``supportdesk serve``, gunicorn,
two workers, SQLite) and uploads the same file as an attachment to a demo case through the
resumable API: ``POST /api/v1/cases/{number}/uploads``, then ``PATCH /api/v1/uploads/{id}``
(one request, or ``--chunk-mb`` pieces), streamed from disk in 1 MiB writes on a loopback
connection.  The time runs from the first byte sent to the answer that the file is attached,
so it includes the server's SHA-256 check, its fsync and its content checks.  While it runs,
the peak resident memory (VmHWM) of every server process is read from /proc.  Afterwards the
attachment is downloaded whole (its SHA-256 compared) and one range of it.

Ends with one line:

    RESULT size_mb=N upload_mb_s=X copy_mb_s=X copy_ratio=X peak_mb=X download_mb_s=X ok=1

``copy_ratio`` is the upload's throughput divided by the copy's; ``peak_mb`` the largest
VmHWM of any server process (each gunicorn worker holds Django and the app: that is the floor).
The goal (issue 5): ``copy_ratio`` at least 0.5 and ``peak_mb`` under 150 whatever the size.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUPPORTDESK = BIN / "supportdesk"
MiB = 1024 * 1024
BLOCK = MiB

SETUP = """
import io, json
from django.utils import timezone
from supportdesk.demo import load_demo_data
from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_create
from supportdesk.cases.models import Case
load_demo_data(io.StringIO())
user = User.objects.get(username="nora")
_, secret = api_token_create(actor=user, name="bench", at=timezone.now())
case = Case.objects.filter(organization__memberships__user=user).order_by("pk").first()
print(json.dumps({"case": case.number, "token": secret}))
"""


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_file(path: Path, size: int) -> str:
    """``size`` bytes of log lines; answers their SHA-256."""
    lines = b"".join(
        b"2026-11-25 10:%02d:%02d.%03d INFO [job-%04d] block processed, 4096 objects, 0 errors\n"
        % (i // 60 % 60, i % 60, i % 1000, i % 9973)
        for i in range(BLOCK // 80 + 1)
    )[:BLOCK]
    digest = hashlib.sha256()
    with path.open("wb") as out:
        written = 0
        while written < size:
            block = lines[: min(BLOCK, size - written)]
            out.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def plain_copy(source: Path, target: Path) -> float:
    """A read/write loop with 1 MiB buffers and an fsync at the end; seconds."""
    started = time.perf_counter()
    with source.open("rb") as src, target.open("wb") as dst:
        while True:
            data = src.read(BLOCK)
            if not data:
                break
            dst.write(data)
        dst.flush()
        os.fsync(dst.fileno())
    return time.perf_counter() - started


def run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own fixed commands
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {(done.stderr or done.stdout).strip()[-600:]}")
    return done.stdout


def tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"


@contextmanager
def server(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [str(SUPPORTDESK), "serve", "--port", str(port), "--workers", "2", "--threads", "4"]
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own fixed command
            command, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {tail(log)}")
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not listen within 60 s: {tail(log)}")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def family(pid: int) -> list[int]:
    """The process and its descendants (the gunicorn master and its workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with suppress(OSError):
            for child in (task / "children").read_text().split():
                found.extend(family(int(child)))
    return found


def high_water_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had, in MB."""
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Watch:
    """Samples the server's processes' VmHWM while the upload runs (workers may come and go)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in family(self.pid):
            self.peak[pid] = max(self.peak.get(pid, 0.0), high_water_mb(pid))

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> Watch:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def request(
    port: int, method: str, path: str, token: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(
            method, path, body=body, headers={"Authorization": f"Bearer {token}", **headers}
        )
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


def patch_from_file(port: int, url: str, token: str, path: Path, offset: int, size: int) -> dict:
    """One PATCH of ``size`` bytes from ``offset`` of ``path``, written in 1 MiB pieces."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.putrequest("PATCH", url)
        for name, value in {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(size),
            "Upload-Offset": str(offset),
            "Tus-Resumable": "1.0.0",
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        with path.open("rb") as src:
            src.seek(offset)
            left = size
            while left:
                data = src.read(min(BLOCK, left))
                conn.send(data)
                left -= len(data)
        answer = conn.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"PATCH answered {answer.status}: {body[:300]!r}")
        return json.loads(body)
    finally:
        conn.close()


def download(port: int, url: str, token: str) -> tuple[str, int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    digest = hashlib.sha256()
    total = 0
    started = time.perf_counter()
    try:
        conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        if answer.status != 200:
            raise RuntimeError(f"download answered {answer.status}")
        while data := answer.read(BLOCK):
            digest.update(data)
            total += len(data)
    finally:
        conn.close()
    return digest.hexdigest(), total, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB instead of 2 GiB")
    parser.add_argument("--size-mb", type=int, help="the file's size in MiB")
    parser.add_argument("--chunk-mb", type=int, default=0, help="PATCH in pieces of N MiB")
    args = parser.parse_args()
    size = (args.size_mb or (256 if args.quick else 2048)) * MiB
    chunk = args.chunk_mb * MiB or size

    work = Path(tempfile.mkdtemp(prefix="supportdesk-bench-upload-"))
    try:
        say(f"making a {size // MiB} MiB file of log lines ...")
        source = work / "bundle.log"
        sha = make_file(source, size)

        say("the peer: a plain file copy (read/write, 1 MiB buffers, fsync) ...")
        copy_s = plain_copy(source, work / "copy.log")
        (work / "copy.log").unlink()
        copy_mb_s = size / MiB / copy_s
        say(f"  copy: {copy_s:.2f} s, {copy_mb_s:.0f} MB/s")

        home = work / "home"
        home.mkdir()
        env = {
            **os.environ,
            "SUPPORTDESK_HOME": str(home),
            "SUPPORTDESK_UPLOAD_RATE": "100000",
            "SUPPORTDESK_SMTP_URL": "console:",
        }
        env.pop("DATABASE_URL", None)
        say("ours: migrate, demo data, a token ...")
        run([str(SUPPORTDESK), "manage", "migrate", "-v0"], env, "migrate")
        shell = [str(SUPPORTDESK), "manage", "shell", "-v0", "-c", SETUP]
        setup = json.loads(run(shell, env, "setup").strip().splitlines()[-1])
        token, number = setup["token"], setup["case"]
        port = free_port()
        with server(env, port, work / "server.log") as proc, Watch(proc.pid) as watch:
            idle_mb = max(watch.peak.values())
            status, _, body = request(
                port,
                "POST",
                f"/api/v1/cases/{number}/uploads",
                token,
                json.dumps({"filename": "bundle.log", "length": size, "sha256": sha}).encode(),
                **{"Content-Type": "application/json"},
            )
            if status != 201:
                raise RuntimeError(f"creating the upload answered {status}: {body[:300]!r}")
            url = json.loads(body)["url"]
            say(f"  uploading to case {number} in {max(1, size // chunk)} request(s) ...")
            started = time.perf_counter()
            offset = 0
            answer: dict = {}
            while offset < size:
                piece = min(chunk, size - offset)
                answer = patch_from_file(port, url, token, source, offset, piece)
                offset = answer["offset"]
            upload_s = time.perf_counter() - started
            attachment = answer["attachment"]
            upload_mb_s = size / MiB / upload_s
            say(f"  upload: {upload_s:.2f} s, {upload_mb_s:.0f} MB/s")

            got, total, down_s = download(port, attachment["download_url"], token)
            status, headers, part = request(
                port, "GET", attachment["download_url"], token, Range="bytes=1000-1999"
            )
            with source.open("rb") as src:
                src.seek(1000)
                expected_part = src.read(1000)
        peak_mb = max(watch.peak.values())
        ok = (
            attachment["sha256"] == sha
            and attachment["size"] == size
            and got == sha
            and total == size
            and status == 206
            and headers.get("Content-Range") == f"bytes 1000-1999/{size}"
            and part == expected_part
        )
        download_mb_s = size / MiB / down_s
        say(f"  download: {down_s:.2f} s, {download_mb_s:.0f} MB/s, SHA-256 matches: {got == sha}")
        say(f"  server memory: {idle_mb:.0f} MB before the upload, {peak_mb:.0f} MB at most")
        ratio = upload_mb_s / copy_mb_s
        goal = ratio >= 0.5 and peak_mb < 150
        say(f"goal (copy_ratio >= 0.5, peak_mb < 150): {'met' if goal else 'NOT met'}")
        say(
            f"RESULT size_mb={size // MiB} upload_mb_s={upload_mb_s:.0f} copy_mb_s={copy_mb_s:.0f} "
            f"copy_ratio={ratio:.2f} peak_mb={peak_mb:.0f} download_mb_s={download_mb_s:.0f} "
            f"ok={int(ok)}"
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
