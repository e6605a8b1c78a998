"""Browser-facing protections on every page: CSP without inline script, no framing, no
sniffing, no referrer leaks to other sites; and HTTPS-only behaviour once the site is on
HTTPS (docs/ops/deployment.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.config.test_settings import load_settings


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs", "/admin/login/"])
def test_pages_carry_the_browser_protections(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_not_readable_by_script_nor_sent_cross_site(
    client: Client,
) -> None:
    response = client.get("/login/")

    csrf = response.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


def test_https_turns_on_secure_cookies_redirects_and_hsts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = load_settings(monkeypatch, SUPPORTDESK_HOME=str(tmp_path), SUPPORTDESK_HTTPS="1")

    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000
    assert loaded["SESSION_COOKIE_HTTPONLY"] is True
    assert loaded["SESSION_COOKIE_AGE"] == 8 * 3600


def test_plain_http_sends_no_hsts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(monkeypatch, SUPPORTDESK_HOME=str(tmp_path))

    assert (loaded["SECURE_HSTS_SECONDS"], loaded["SECURE_SSL_REDIRECT"]) == (0, False)


def test_session_lifetime_is_an_operator_setting_with_a_floor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    loaded = load_settings(
        monkeypatch, SUPPORTDESK_HOME=str(tmp_path), SUPPORTDESK_SESSION_SECONDS="3600"
    )
    assert loaded["SESSION_COOKIE_AGE"] == 3600

    monkeypatch.setenv("SUPPORTDESK_SESSION_SECONDS", "10")
    with pytest.raises(ImproperlyConfigured, match="SUPPORTDESK_SESSION_SECONDS"):
        load_settings(monkeypatch, SUPPORTDESK_HOME=str(tmp_path))


def test_check_deploy_is_clean_for_the_production_settings(tmp_path: Path) -> None:
    """`supportdesk manage check --deploy` with what docs/ops/deployment.md tells operators."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SUPPORTDESK_", "DJANGO_"))
    }
    environment.update(
        SUPPORTDESK_HOME=str(tmp_path),
        SUPPORTDESK_HTTPS="1",
        SUPPORTDESK_ALLOWED_HOSTS="support.example.com",
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("supportdesk")),
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
