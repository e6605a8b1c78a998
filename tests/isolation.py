"""A pytest plugin, loaded with ``-p tests.isolation`` (see pyproject.toml).

pytest-django imports the settings before any conftest.py runs, and the settings create the
data folder and its secret key. This plugin runs earlier still: it points SUPPORTDESK_HOME
at a fresh temporary folder and clears the operator's other SUPPORTDESK_* variables, so a
test run never reads or writes a real data folder. DATABASE_URL is kept on purpose: it
chooses the database the suite runs against.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    for name in [name for name in os.environ if name.startswith("SUPPORTDESK_")]:
        del os.environ[name]
    home = tempfile.mkdtemp(prefix="supportdesk-tests-")
    os.environ["SUPPORTDESK_HOME"] = home
    early_config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
