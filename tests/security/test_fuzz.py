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
from pathlib import Path

import pytest

from tests import processes
from tests.security import servers

ST = shutil.which("st", path=str(Path(sys.executable).parent))
EXAMPLES = int(os.environ.get("SUPPORTDESK_FUZZ_EXAMPLES", "6"))


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
    token = servers.prepare("admin", **env)

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
                f"Authorization: Bearer {token}",
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
                # its body is raw bytes (application/offset+octet-stream), which the fuzzer
                # cannot generate; tests/api/test_attachments_api.py covers its bad input
                "--exclude-operation-id",
                "supportdesk_api_attachments_upload_append",
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
