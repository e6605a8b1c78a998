"""Demo cases: a few open cases across programs, opened through ``case_open`` by the demo
customers' administrators (supportdesk.demo_customers). Safe to load again and again: each
is opened with an idempotency key, so a second load answers the cases of the first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import Organization, User
from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.cases.services import CaseDetails


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class DemoCase:
    key: str
    opener: str
    organization: str
    support_id: str
    kind: str
    details: CaseDetails


DEMO_CASES = (
    DemoCase("demo-case-1", "nora", "Nordlicht Versicherung AG", "SID-DEM0-0000-0001",
             "technical", CaseDetails(
                 subject="Replication to the DR site stalls at 40 %",
                 description="Since Monday the nightly replication job stops at 40 %.",
                 proposed_severity=2, contact_email="nora@example.com", product_version="13",
                 business_impact="The DR copy is a day behind.",
                 error_text="Timeout waiting for target proxy", contact_phone="+49 89 1234567",
                 preferred_contact="phone", best_time_to_reach="08:00-16:00")),
    DemoCase("demo-case-2", "maya", "Maple Health Network", "SID-DEM0-0000-0002",
             "technical", CaseDetails(
                 subject="All backup jobs fail after storage firmware update",
                 description="No job has completed since the firmware update last night.",
                 proposed_severity=1, contact_email="maya@example.com", product_version="13",
                 business_impact="Production is without backups.",
                 contact_phone="+1 416 555 0199", preferred_contact="phone",
                 technical_contact_available=True)),
    DemoCase("demo-case-3", "sakura", "Sakura Logistics", "SID-DEM0-0000-0003",
             "technical", CaseDetails(
                 subject="Restore of a single file is slow",
                 description="File-level restore takes 20 minutes for small files.",
                 proposed_severity=3, contact_email="sakura@example.com", product_version="13",
                 business_impact="Help-desk restores take long.")),
    DemoCase("demo-case-4", "sakura", "Sakura Logistics", "SID-DEM0-0000-0004",
             "licensing", CaseDetails(
                 subject="Renewing ONE maintenance",
                 description="Our ONE maintenance lapsed; how do we renew it?",
                 proposed_severity=4, contact_email="sakura@example.com")),
    DemoCase("demo-case-5", "pablo", "Pampa Agro", "SID-DEM0-0000-0005",
             "general_inquiry", CaseDetails(
                 subject="Spanish documentation",
                 description="Is the administrator guide available in Spanish?",
                 proposed_severity=4, contact_email="pablo@example.com")),
)  # fmt: skip


def load_cases(stdout: Writer, *, now: datetime | None = None) -> list[Case]:
    at = now or timezone.now()
    cases = []
    with transaction.atomic():
        for demo in DEMO_CASES:
            cases.append(
                services.case_open(
                    actor=User.objects.get(username=demo.opener),
                    organization=Organization.objects.get(name=demo.organization),
                    support_id=demo.support_id,
                    kind=demo.kind,
                    details=demo.details,
                    idempotency_key=demo.key,
                    at=at,
                )
            )
    programs = sorted({case.program or "none" for case in cases})
    stdout.write(f"demo cases: {len(cases)} open cases ({', '.join(programs)})\n")
    return cases
