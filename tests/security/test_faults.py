"""Faults: the server killed (SIGKILL, no goodbye) while cases are being opened leaves no
partial case, loses no answered case, and the clients' retries with the same
Idempotency-Key after the restart make exactly one case each."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests import processes
from tests.security import servers

OPENER, ORGANIZATION = "nora", "Nordlicht Versicherung AG"
CLIENTS = 6
BODY = {
    "support_id": "SID-DEM0-0000-0001",
    "kind": "technical",
    "subject": "Fault test: replication stalls",
    "description": "Since Monday the nightly replication job stops at 40 %.",
    "proposed_severity": 2,
    "contact_email": "nora@example.com",
    "product_version": "13",
    "business_impact": "The DR copy is a day behind.",
}
CHECK = """
import json
from supportdesk.accounts.models import Organization
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case
from supportdesk.notifications.models import OutboundMail
cases = list(Case.objects.filter(subject=%(subject)r))
opened = set(AuditEvent.objects.filter(action="case.open").values_list("target_id", flat=True))
mailed = {key.split(":")[1] for key in OutboundMail.objects.filter(
    kind="case_confirmation").values_list("dedup_key", flat=True)}
print("RESULT", json.dumps({
    "org": Organization.objects.get(name=%(org)r).pk,
    "keys": [c.idempotency_key for c in cases],
    "numbers": {c.idempotency_key: c.number for c in cases},
    "partial": [c.number for c in cases if str(c.pk) not in {str(t) for t in opened}
                or str(c.pk) not in mailed or c.first_response_due_at is None
                or not c.policy_sha256 or not c.severity_changes.exists()],
}))
"""


def _state(env: dict[str, str]) -> dict:
    out = servers.query(CHECK % {"subject": BODY["subject"], "org": ORGANIZATION}, **env)
    return json.loads(out.split("RESULT ", 1)[1])


def _open(url: str, token: str, org: int, key: str) -> tuple[int, str] | None:
    """POST one case; (status, case number) or None when the connection broke."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/cases",
            json.dumps({**BODY, "organization": org}),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = connection.getresponse()
        body = json.loads(response.read() or b"null")
        return response.status, (body or {}).get("number", "")
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


@pytest.mark.timeout(600)
def test_a_killed_server_leaves_no_partial_case_and_retries_make_one_each(
    database_url: str | None,
) -> None:
    env = {"SUPPORTDESK_API_RATE": "0", "SUPPORTDESK_SMTP_URL": "console:"}
    if database_url:
        env["DATABASE_URL"] = database_url
    token = servers.prepare(OPENER, **env)
    org = _state(env)["org"]
    answered: dict[str, str] = {}  # key -> case number, for every 201
    unanswered: list[str] = []  # keys whose request the kill cut off
    lock = threading.Lock()
    stop = threading.Event()

    def client(url: str) -> None:
        while not stop.is_set():
            key = str(uuid.uuid4())
            result = _open(url, token, org, key)
            with lock:
                if result is not None and result[0] == 201:
                    answered[key] = result[1]
                elif result is None:
                    unanswered.append(key)
                    return
                else:
                    raise AssertionError(f"unexpected answer {result}")

    with processes.Running("serve", "--port", "0", "--workers", "2", **env) as server:
        url = server.wait_for(processes.URL).group(1)
        threads = [threading.Thread(target=client, args=(url,)) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answered) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)  # master and workers, mid-request
        server.process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    after_kill = _state(env)
    assert len(answered) >= 20
    assert after_kill["partial"] == []
    assert set(answered) <= set(after_kill["keys"])  # every 201 was kept
    assert {after_kill["numbers"][k] for k in answered} == set(answered.values())
    assert len(after_kill["keys"]) == len(set(after_kill["keys"]))

    with processes.Running("serve", "--port", "0", "--workers", "2", **env) as server:
        url = server.wait_for(processes.URL).group(1)
        retried = {key: _open(url, token, org, key) for key in unanswered}
        again = {key: _open(url, token, org, key) for key in list(answered)[:5]}
        server.stop(signal.SIGTERM, timeout=30)

    final = _state(env)
    print(
        f"faults injected: 1 SIGKILL with {len(unanswered)} requests in flight; "
        f"{len(answered)} answered before it; cases lost: "
        f"{len(set(answered) - set(final['keys']))}; partial cases: {len(final['partial'])}"
    )
    assert all(result is not None and result[0] in (200, 201) for result in retried.values())
    assert {key: result[1] for key, result in again.items()} == {  # type: ignore[index]
        key: answered[key] for key in again
    }
    assert final["partial"] == []
    assert len(final["keys"]) == len(set(final["keys"]))  # one case per key, retries included
    assert set(final["keys"]) == set(answered) | set(unanswered)
