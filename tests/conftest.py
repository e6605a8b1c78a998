"""Fixtures for the whole suite.

Every test gets its own empty SUPPORTDESK_HOME, both in the environment (for the processes
a test starts) and in the settings (for code that runs in the test's own process). Pages
rendered in the test's process use plain static URLs: nothing has been collected there
(the tests that start `supportdesk serve` see the collected, hashed ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit and sign-in counters live in the cache: each test starts with none."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _english_again_after_each_test() -> Iterator[None]:
    """A page asked for as a Czech reader leaves Czech active in the thread (the locale
    middleware activates a language and nothing resets it between requests of one thread);
    the next test, in whatever order, starts from the default again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def supportdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    home = tmp_path / "supportdesk-home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("SUPPORTDESK_HOME", str(home))
    settings.SUPPORTDESK_HOME = home
    settings.STATIC_ROOT = home / "static"
    settings.STATIC_ROOT.mkdir()
    settings.MEDIA_ROOT = home / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return home
