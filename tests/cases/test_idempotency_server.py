"""Idempotent opening under real concurrency on SQLite: two requests with one Idempotency-Key
sent at the same moment to the real server (two gunicorn worker processes, each with threads,
on its own SQLite file). PostgreSQL's side of it is in tests/cases/test_idempotency.py."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests import processes

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the server runs on its own SQLite file either way"
)

ROOT = Path(__file__).resolve().parents[2]
# three processes start Django (one migrates a new database): on a machine shared with much
# other work that can take minutes, though it needs about 15 s of CPU in all
BUSY = 240

# the service tests' customer (tests.cases.test_services.make_customer) and a token for its
# license administrator, made inside the server's own database
SETUP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from supportdesk.accounts.services import api_token_create
from tests.cases.test_services import make_customer
customer = make_customer()
_, secret = api_token_create(actor=customer.admin, name="t", at=timezone.now())
print(json.dumps({"org": customer.org.pk, "token": secret}))
"""

BODY = {
    "support_id": "SID-AAAA-BBBB-CCCC",
    "kind": "technical",
    "subject": "Idempotency test: backups fail",
    "description": "Every backup job fails since the upgrade.",
    "proposed_severity": 2,
    "contact_email": "ops@acme.example",
    "product_version": "12.1",
    "business_impact": "No backups of the file servers.",
}

COUNT = """
from supportdesk.cases.models import Case
print(Case.objects.filter(subject__startswith="Idempotency test:").count())
"""


def together(url: str, token: str, bodies: list[dict[str, Any]], key: str) -> list[Any]:
    """POST each body with the same key, released at one moment; (status, JSON) of each."""
    parts = urlsplit(url)
    barrier = threading.Barrier(len(bodies))
    results: list[Any] = [None] * len(bodies)

    def send(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=BUSY)
        conn.connect()  # connected before the barrier: the requests leave together
        barrier.wait()
        conn.request(
            "POST",
            "/api/v1/cases",
            body=json.dumps(bodies[i]),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = conn.getresponse()
        results[i] = (response.status, json.loads(response.read()))
        conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.timeout(4 * BUSY)
def test_one_key_sent_twice_at_once_makes_one_case_and_another_body_is_refused() -> None:
    setup = processes.run("manage", "shell", "-v0", "-c", SETUP, timeout=BUSY, PYTHONPATH=str(ROOT))
    assert setup.returncode == 0, setup.stderr
    given = json.loads(setup.stdout.strip().splitlines()[-1])
    body = {**BODY, "organization": given["org"]}
    other = {**body, "subject": "Idempotency test: restores fail"}

    with processes.Running("serve", "--port", "0", "--workers", "2", "--threads", "2") as server:
        url = server.wait_for(processes.URL, timeout=BUSY).group(1)
        rounds = [together(url, given["token"], [body, body], key=f"same-{n}") for n in range(2)]
        mixed = together(url, given["token"], [body, other], key="mixed")
        server.stop(processes.signal.SIGTERM, timeout=60)

    for first, second in rounds:
        assert (first[0], second[0]) == (201, 201)
        assert first[1]["number"] == second[1]["number"]
    assert len({first[1]["number"] for first, _ in rounds}) == 2
    statuses = sorted(status for status, _ in mixed)
    assert statuses == [201, 422]
    (refusal,) = [answer for status, answer in mixed if status == 422]
    (opened,) = [answer for status, answer in mixed if status == 201]
    (error,) = refusal["errors"]
    assert error["field"] == "Idempotency-Key"
    assert error["message"].startswith("Idempotency-Key 'mixed' was already used for another ")
    assert f"(case {opened['number']})" in error["message"]
    # two rounds of one case each, and one for the mixed pair
    count = processes.run("manage", "shell", "-v0", "-c", COUNT, timeout=BUSY)
    assert count.stdout.strip() == "3"
    assert "Traceback" not in server.output
