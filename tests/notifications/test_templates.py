"""Every mail text comes in English and in Czech, starts with its Subject: line, and renders
(R-20: customers are answered in their language where support offers it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.notifications.mail import render

MAIL = (
    Path(__file__).resolve().parents[2]
    / "src/supportdesk/notifications/templates/notifications/mail"
)
TEMPLATES = sorted({path.name.split(".")[0] for path in MAIL.glob("*.txt")})


def test_every_text_is_in_english_and_czech() -> None:
    missing = [
        f"{name}.{language}.txt"
        for name in TEMPLATES
        for language in ("en", "cs")
        if not (MAIL / f"{name}.{language}.txt").exists()
    ]

    assert missing == []


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("language", ["en", "cs"])
def test_every_text_renders_with_its_subject(name: str, language: str) -> None:
    context = {
        "number": "C-2026-000001",
        "subject": "S",
        "username": "ann",
        "organization": "Acme",
        "product": "Backup",
    }
    subject, body, used = render(name, context, language)

    assert used == language
    # the subject names what the mail is about: a case, an account (a password reset) or an
    # organization (an invitation)
    about = {"password_reset": "ann", "invitation": "Acme"}.get(name, "C-2026-000001")
    if name.startswith("license_update"):
        about = "Backup"  # a license's product
    assert about in subject
    assert "\n" not in subject
    assert body.strip()
