"""Mail texts and headers: templates per language, and header values that cannot carry a
second header (no CR/LF reaches a header from a name, a subject or an address)."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from email.utils import formataddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template import Context, Template, TemplateDoesNotExist
from django.template.loader import get_template

TEMPLATE_DIR = "notifications/mail"
FALLBACK_LANGUAGE = "en"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def one_line(text: str, limit: int) -> str:
    """``text`` as one header-safe line: control characters (CR, LF, tabs, NUL, line
    separators) become one space, runs of blanks one space, at most ``limit`` characters."""
    flat = " ".join(_CONTROL.sub(" ", text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def clean_address(address: str, *, field: str = "to") -> str:
    """An e-mail address checked for use in a header; refused naming ``field``."""
    value = (address or "").strip()
    if _CONTROL.search(value):
        raise ValidationError({field: [f"{value!r} is not an e-mail address (line breaks)."]})
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({field: [f"{value!r} is not an e-mail address."]}) from None
    return value


#: characters that make a display name need quoting (RFC 5322 specials)
_SPECIALS = re.compile(r'[<>@,;:\\"()\[\]]')


def mailbox(name: str, address: str) -> str:
    """``Name <address>`` on one line, the name without the characters that would need
    quoting: when a long header is folded, Python's mail package can drop the quotes, and a
    name such as ``Eve Bcc: victim@example.com`` would then read as a group with another
    address in it (found by tests/security/test_mail_headers.py)."""
    return formataddr((one_line(_SPECIALS.sub(" ", name or ""), 200), address))


def mail_domain() -> str:
    """The domain of Message-IDs: the sender address's."""
    _, _, domain = str(settings.DEFAULT_FROM_EMAIL).rpartition("@")
    domain = re.sub(r"[^A-Za-z0-9.-]", "", domain.rstrip(">"))
    return domain or "localhost"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def thread_id(thread: str) -> str:
    """The Message-ID that stands for a whole thread (a case): the first mail of the thread
    carries it, and every later one names it in In-Reply-To and References, so mail
    programs show a case's mail as one conversation."""
    slug = re.sub(r"[^A-Za-z0-9.-]", "-", thread).strip("-") or "thread"
    return f"<{slug}.thread@{mail_domain()}>"


def template_languages(language: str) -> list[str]:
    """The languages to try for a text, best first: ``cs-CZ`` → cs-CZ, cs, en."""
    tag = (language or "").strip()
    found = [tag, tag.split("-")[0].lower(), FALLBACK_LANGUAGE]
    return list(dict.fromkeys(t for t in found if t))


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """A template's text, compiled once per process (compiled templates render concurrently)."""
    return Template(source)


def render(template: str, context: Mapping[str, Any], language: str) -> tuple[str, str, str]:
    """The subject, the body and the language of ``template`` for a reader of ``language``.

    A template is a text file ``notifications/mail/<template>.<language>.txt`` whose first
    line is ``Subject: ...``, then an empty line, then the body; it is rendered without
    HTML escaping (the mail is plain text)."""
    for tag in template_languages(language):
        try:
            loaded = get_template(f"{TEMPLATE_DIR}/{template}.{tag}.txt")
        except TemplateDoesNotExist:
            continue
        source: str = loaded.template.source  # type: ignore[attr-defined]
        head, _, rest = source.lstrip("\n").partition("\n")
        if not head.startswith("Subject:"):
            raise ValueError(f"Mail template {template}.{tag}.txt lacks its Subject: line.")
        # the subject is rendered from one-line values: a line break in a case's subject
        # cannot end the Subject: line
        flat = {k: one_line(v, 1000) if isinstance(v, str) else v for k, v in context.items()}
        subject = _compiled(head.removeprefix("Subject:")).render(Context(flat, autoescape=False))
        body = _compiled(rest).render(Context(dict(context), autoescape=False))
        return one_line(subject, 300), body.strip("\n") + "\n", tag
    raise ValueError(f"No mail template {template!r} for {language!r} or English.")


def local_time(instant: datetime, time_zone: str) -> str:
    """``instant`` as the reader's wall-clock time, such as ``2026-06-01 17:00``."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")
