"""Conventions that run (STYLE habit 7): each domain app is under the import contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.apps import apps

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
USER_INTERFACES = {"supportdesk.portal", "supportdesk.console", "supportdesk.api"}


def test_every_domain_app_is_forbidden_to_import_the_api_and_the_user_interfaces() -> None:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if set(c["forbidden_modules"]) >= USER_INTERFACES]
    domain_apps = {
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("supportdesk.") and config.name not in USER_INTERFACES
    }

    assert domain_apps - set(contract["source_modules"]) == set()


# --- templates: nothing the Content-Security-Policy would block (config/settings.py SECURE_CSP)

TEMPLATES_ROOT = Path(__file__).resolve().parent.parent / "src" / "supportdesk"
_INLINE = {
    "an inline script": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
    ),
    "an inline style element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\s(?:hx-)?on[a-z:-]*\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def _inline_code(text: str) -> list[str]:
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.DOTALL)  # template syntax
    return [what for what, pattern in _INLINE.items() if pattern.search(text)]


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    found = {
        str(path.relative_to(TEMPLATES_ROOT)): problems
        for path in sorted(TEMPLATES_ROOT.rglob("templates/**/*.html"))
        if (problems := _inline_code(path.read_text(encoding="utf-8")))
    }

    assert found == {}


def test_the_inline_code_check_can_fail() -> None:
    assert _inline_code('<script>alert(1)</script><div style="x" onclick="y">') == [
        "an inline script",
        "a style attribute",
        "an event-handler attribute",
    ]
    assert _inline_code('<script src="/static/a.js" defer></script>') == []
    assert _inline_code('<script type="application/json" id="d">{}</script>') == []
    assert _inline_code('<a href="javascript:go()">') == ["a javascript: URL"]
    assert _inline_code('<button hx-on:click="x">') == ["an event-handler attribute"]
    assert _inline_code("{% blocktranslate with on=day %}On {{ on }}{% endblocktranslate %}") == []


def test_api_lists_page_through_the_bounded_paginator() -> None:
    """api/pagination.py bounds page numbers and sizes (an unbounded page overflows SQL)."""
    api = TEMPLATES_ROOT / "api"
    unbounded = [
        path.name
        for path in sorted(api.glob("*.py"))
        if path.name != "pagination.py" and "PageNumberPagination" in path.read_text()
    ]

    assert unbounded == []


def test_no_benchmark_shadows_a_standard_module() -> None:
    """`python bench/x.py` puts bench/ first on the import path: a bench/queue.py once hid
    the standard library's queue from every other benchmark (psycopg imports it)."""
    import sys

    bench = Path(__file__).resolve().parent.parent / "bench"
    shadowing = sorted(
        path.name for path in bench.glob("*.py") if path.stem in sys.stdlib_module_names
    )

    assert shadowing == []
