"""Demo queues and the demo engineer's profile, so that the demo's cases land in queues the
engineer works (R-20, R-21) and the console shows them. Safe to load again and again: what
exists is left alone."""

from __future__ import annotations

from typing import Protocol

from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.routing.models import EngineerProfile, Queue
from supportdesk.routing.services import engineer_profile_create, queue_create

#: (code, name, tier): English queues for every product and region, one per line
DEMO_QUEUES = (
    ("l1-en", "L1 English", "L1"),
    ("l2-en", "L2 English", "L2"),
    ("l3-en", "L3 English", "L3"),
)


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def load_routing(stdout: Writer) -> None:
    """The demo queues, and the `engineer` login as an L1/L2 engineer of them."""
    admin = User.objects.get(username="admin")
    now = timezone.now()
    queues = []
    for code, name, tier in DEMO_QUEUES:
        queue = Queue.objects.filter(code=code).first()
        if queue is None:
            queue = queue_create(actor=admin, code=code, name=name, tier=tier, at=now)
            stdout.write(f"demo queue: {name}\n")
        queues.append(queue)
    engineer = User.objects.get(username="engineer")
    if not EngineerProfile.objects.filter(user=engineer).exists():
        engineer_profile_create(
            actor=admin,
            user=engineer,
            tier="L2",
            languages=["en", "de"],
            queues=queues[:2],
            at=now,
        )
        stdout.write("demo engineer profile: engineer works L1 English and L2 English\n")
