"""Through the real server (``supportdesk serve``, gunicorn): a connection dropped in the middle
of a PATCH keeps exactly the bytes that arrived, and the upload resumes from there (R-27)."""

from __future__ import annotations

import hashlib
import json
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests import processes

SETUP = """
import io, json
from django.utils import timezone
from supportdesk.demo import load_demo_data
from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_create
from supportdesk.cases.models import Case
load_demo_data(io.StringIO())
user = User.objects.get(username="nora")
_, secret = api_token_create(actor=user, name="test", at=timezone.now())
case = Case.objects.filter(organization__memberships__user=user).order_by("pk").first()
print(json.dumps({"case": case.number, "token": secret}))
"""
MiB = 1024 * 1024
DATA = b"".join(b"2026-06-01 09:00:00 INFO resumed line %07d\n" % i for i in range(80_000))


def _call(
    base: str, method: str, path: str, token: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        base + path,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.timeout(600)  # starts the server: slow on a loaded machine
def test_a_dropped_connection_resumes_where_the_bytes_stopped(supportdesk_home: Path) -> None:
    assert processes.run("manage", "migrate", "-v0", timeout=300).returncode == 0
    setup = processes.run("manage", "shell", "-v0", "-c", SETUP, timeout=300)
    assert setup.returncode == 0, setup.stderr
    made: dict[str, Any] = json.loads(setup.stdout.strip().splitlines()[-1])
    token, number = made["token"], made["case"]
    sha = hashlib.sha256(DATA).hexdigest()

    with processes.Running("serve", "--port", "0", "--workers", "1", "--threads", "2") as server:
        base = server.wait_for(processes.URL, timeout=180).group(1)
        status, _, body = _call(
            base, "POST", f"/api/v1/cases/{number}/uploads", token,
            json.dumps({"filename": "server.log", "length": len(DATA), "sha256": sha}).encode(),
            **{"Content-Type": "application/json"},
        )  # fmt: skip
        assert status == 201, body
        path = json.loads(body)["url"]

        # announce the whole file, send 1.5 MiB of it, and hang up
        sent = 3 * MiB // 2
        host, port = urlsplit(base).hostname, urlsplit(base).port
        with socket.create_connection((host, port)) as conn:
            conn.sendall(
                (
                    f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                    f"Content-Length: {len(DATA)}\r\n\r\n"
                ).encode()
                + DATA[:sent]
            )
        deadline = time.monotonic() + 30
        while True:
            status, headers, _ = _call(base, "GET", path, token)
            if headers["Upload-Offset"] == str(sent) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert (status, headers["Upload-Offset"]) == (200, str(sent))

        status, _, body = _call(
            base, "PATCH", path, token, DATA[sent:],
            **{"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(sent)},
        )  # fmt: skip
        assert status == 200, body
        attachment = json.loads(body)["attachment"]
        assert (attachment["size"], attachment["sha256"]) == (len(DATA), sha)
        status, headers, content = _call(base, "GET", attachment["download_url"], token)
        assert (status, hashlib.sha256(content).hexdigest()) == (200, sha)
        assert headers["X-Content-Type-Options"] == "nosniff"
