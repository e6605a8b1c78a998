"""Demo data for `supportdesk demo`: safe to load again and again.

Later parts of the product add their own demo objects here (organizations, licenses,
cases...), each through its services and each idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.demo_cases import load_cases
from supportdesk.demo_customers import DEMO_PASSWORD, load_customers
from supportdesk.demo_knowledge import load_knowledge
from supportdesk.demo_routing import load_routing


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str
    is_superuser: bool = False
    staff_role: str = ""


DEMO_LOGINS = (
    DemoLogin("admin", "admin", "superuser", is_superuser=True),
    DemoLogin("engineer", "engineer", "support engineer (staff)", staff_role="engineer"),
)


def load_demo_data(stdout: Writer) -> None:
    """Create or refresh the demo objects; the demo logins always end with their passwords."""
    with transaction.atomic():
        for login in DEMO_LOGINS:
            user, created = User.objects.get_or_create(
                username=login.username,
                defaults={"email": f"{login.username}@example.com"},
            )
            user.is_staff = True
            user.is_superuser = login.is_superuser
            user.staff_role = login.staff_role
            user.is_active = True
            user.set_password(login.password)
            user.save(
                update_fields=["is_staff", "is_superuser", "staff_role", "is_active", "password"]
            )
            verb = "created" if created else "refreshed"
            stdout.write(f"demo login {verb}: {login.username} / {login.password}\n")
    # customers, partners, products and licenses (supportdesk.demo_customers)
    for person in load_customers(stdout):
        stdout.write(f"demo login: {person.username} / {DEMO_PASSWORD}  ({person.description})\n")
    # queues and the engineer's profile, before the cases are routed (supportdesk.demo_routing)
    load_routing(stdout)
    # a few open cases across programs, opened by those customers (supportdesk.demo_cases)
    load_cases(stdout)
    # how-to articles, some translated (supportdesk.demo_knowledge)
    load_knowledge(stdout)
