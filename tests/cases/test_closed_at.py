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
