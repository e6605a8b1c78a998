"""Conventions that run (STYLE habit 7): models and migrations agree, migrations are named."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_our_migrations_are_named() -> None:
    loader = MigrationLoader(connection)
    ours = [
        name
        for app, name in loader.disk_migrations
        if loader.disk_migrations[app, name].__module__.startswith("supportdesk.")
    ]

    assert "0001_custom_user" in ours
    assert [name for name in ours if "_auto_" in name or name.endswith("_initial")] == []
