"""A real server's data for the tests that run `supportdesk serve` as a process."""

from __future__ import annotations

import re

from tests import processes

#: Demo data and a bearer token for a person; prints "TOKEN <secret>".
SETUP = """
from django.utils import timezone
from supportdesk.demo import load_demo_data
from supportdesk.accounts.models import User
from supportdesk.accounts.services import api_token_create
load_demo_data(open("/dev/null", "w"))
person = User.objects.get(username=%(username)r)
print("TOKEN", api_token_create(actor=person, name="test", at=timezone.now())[1])
"""


def prepare(username: str, **env: str) -> str:
    """Migrate the database ``env`` names, load the demo data; a token for ``username``."""
    migrated = processes.run("manage", "migrate", "-v0", timeout=300, **env)
    assert migrated.returncode == 0, migrated.stderr
    setup = processes.run(
        "manage", "shell", "-v0", "-c", SETUP % {"username": username}, timeout=300, **env
    )
    assert setup.returncode == 0, setup.stderr
    token = re.search(r"TOKEN (\S+)", setup.stdout)
    assert token, setup.stdout
    return token.group(1)


def query(script: str, **env: str) -> str:
    """Run ``script`` in ``supportdesk manage shell`` against ``env``'s database; its output."""
    done = processes.run("manage", "shell", "-v0", "-c", script, timeout=300, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout
