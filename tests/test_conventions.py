"""Conventions that run (STYLE habit 7): each domain app is under the import contract."""

from __future__ import annotations

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
