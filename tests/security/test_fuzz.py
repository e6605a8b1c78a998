"""Schemathesis over the OpenAPI document, against a real `supportdesk serve` with the demo
data, on the suite's database kind: SQLite in the plain run, a fresh PostgreSQL database
when DATABASE_URL names a server. Zero server errors, zero answers the document does not
describe (status, content type, body schema). The figures are printed for the record."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import processes

ST = shutil.which("st", path=str(Path(sys.executable).parent))
EXAMPLES = int(os.environ.get("SUPPORTDESK_FUZZ_EXAMPLES", "6"))
SETUP = """
from django.utils import timezone
from supportdesk.demo import load_demo_data
from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_create
load_demo_data(open("/dev/null", "w"))
admin = User.objects.get(username="admin")
print("TOKEN", api_token_create(actor=admin, name="fuzz", at=timezone.now())[1])
"""


@pytest.fixture
def database_url() -> Iterator[str | None]:
    """None for SQLite; else a new PostgreSQL database beside the suite's, dropped after."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    # the suite's URL may name a database that only its test copy exists of: use the server's
    maintenance = urlunsplit(urlsplit(server)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.timeout(600)  # about a minute on an idle 2-core machine; generous for a busy one
def test_the_api_holds_against_schema_fuzzing(database_url: str | None, tmp_path: Path) -> None:
    assert ST, "schemathesis (st) is not installed next to this Python"
    env = {
        "SUPPORTDESK_API_RATE": "0",  # the fuzzer is one caller making thousands of calls
        "SUPPORTDESK_API_ANONYMOUS_RATE": "0",
        "SUPPORTDESK_SMTP_URL": "console:",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    migrated = processes.run("manage", "migrate", "-v0", timeout=300, **env)
    assert migrated.returncode == 0, migrated.stderr
    setup = processes.run("manage", "shell", "-v0", "-c", SETUP, timeout=300, **env)
    assert setup.returncode == 0, setup.stderr
    token = re.search(r"TOKEN (\S+)", setup.stdout)
    assert token

    with processes.Running(
        "serve", "--port", "0", "--workers", "2", "--threads", "4", **env
    ) as server:
        url = server.wait_for(processes.URL).group(1)
        result = subprocess.run(
            [
                ST,
                "run",
                f"{url}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token.group(1)}",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                str(EXAMPLES),
                "--workers",
                "2",
                "--seed",
                "20261125",
                "--request-timeout",
                "30",
                # revoking its own token would leave the fuzzer signed out
                "--exclude-operation-id",
                "supportdesk_api_accounts_token_revoke",
                "--no-color",
                "--generation-database",
                "none",
            ],
            capture_output=True,
            text=True,
            timeout=540,
            cwd=tmp_path,
            check=False,
        )
    summary = result.stdout[result.stdout.rfind("SUMMARY") :]
    print(summary)  # operations, test cases generated, failures: the figures for the record
    assert result.returncode == 0, result.stdout[-20000:]
    assert re.search(r"\d+ generated", summary)
    assert "Traceback" not in server.output
