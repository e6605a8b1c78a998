"""A case records when it was closed (closures per day in the reports), in the audit too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.audit.models import AuditEvent
from supportdesk.cases import services
from tests.accounts.factories import StaffFactory
from tests.cases.factories import CaseFactory
from tests.cases.test_services import AT

pytestmark = pytest.mark.django_db


def test_closing_records_when() -> None:
    staff = StaffFactory.create()
    case = CaseFactory.create()
    later = AT + timedelta(hours=2)
    case = services.case_transition(
        actor=staff, case=case, status="resolved", expected_version=1, at=AT
    )
    assert case.closed_at is None
    case = services.case_transition(
        actor=staff, case=case, status="closed", expected_version=2, at=later
    )
    case.refresh_from_db()
    assert (case.status, case.closed_at) == ("closed", later)
    assert AuditEvent.objects.last().changes == {  # type: ignore[union-attr]
        "status": ["resolved", "closed"],
        "closed_at": [None, later.isoformat()],
        "version": [2, 3],
    }


def test_cases_closed_before_get_closed_at_from_their_audit_trail() -> None:
    import importlib

    from django.apps import apps

    backfill = importlib.import_module(
        "supportdesk.cases.migrations.0005_backfill_closed_at"
    ).backfill
    closed_at = AT + timedelta(days=2)
    audited = CaseFactory.create(status="closed", updated_at=AT + timedelta(days=5))
    for at, change in ((AT, ["new", "in_progress"]), (closed_at, ["in_progress", "closed"])):
        AuditEvent.objects.create(
            at=at,
            action="case.transition",
            target_type="cases.case",
            target_id=str(audited.pk),
            target_repr=str(audited),
            changes={"status": change},
        )
    untracked = CaseFactory.create(status="closed", updated_at=AT + timedelta(days=3))
    still_open = CaseFactory.create(status="in_progress")

    backfill(apps, None)

    audited.refresh_from_db()
    untracked.refresh_from_db()
    still_open.refresh_from_db()
    assert (audited.closed_at, untracked.closed_at, still_open.closed_at) == (
        closed_at,
        AT + timedelta(days=3),
        None,
    )
