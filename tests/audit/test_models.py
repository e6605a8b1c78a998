from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from supportdesk.audit.models import AppendOnlyError, AuditEvent
from supportdesk.audit.services import audit_event_record, created, deleted, diff, jsonable
from tests.accounts.factories import OrganizationFactory, PersonFactory
from tests.audit.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def test_a_record_says_who_when_what_and_which_values_changed() -> None:
    actor = PersonFactory.create()
    org = OrganizationFactory.create(name="Acme")

    event = audit_event_record(
        actor=actor,
        action="organization.update",
        target=org,
        changes={"language": ["de", "en"]},
        at=AT,
    )

    event.refresh_from_db()
    assert (event.at, event.actor, event.action) == (AT, actor, "organization.update")
    assert (event.target_type, event.target_id, event.target_repr) == (
        "accounts.organization",
        str(org.pk),
        "Acme",
    )
    assert event.changes == {"language": ["de", "en"]}
    assert str(event) == "2026-06-15 10:00:00 organization.update Acme"


def test_times_are_aware() -> None:
    org = OrganizationFactory.create()

    with pytest.raises(ValueError, match="aware"):
        audit_event_record(
            actor=None,
            action="organization.update",
            target=org,
            changes={},
            at=datetime(2026, 6, 15, 10, 0),  # noqa: DTZ001  (the point of the test)
        )

    assert AuditEvent.objects.count() == 0


def test_an_event_is_never_changed_or_deleted_through_the_orm() -> None:
    event = AuditEventFactory.create()

    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get().action == "organization.create"


def test_the_database_refuses_an_update_too() -> None:
    event = AuditEventFactory.create()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get().action == "organization.create"


def test_values_are_stored_as_json() -> None:
    org = OrganizationFactory.create()

    assert jsonable(
        {"on": date(2026, 1, 2), "at": AT, "n": Decimal("1.5"), "org": org, "l": (1, [2])}
    ) == {"on": "2026-01-02", "at": "2026-06-15T10:00:00+00:00", "n": "1.5", "org": org.pk,
          "l": [1, [2]]}  # fmt: skip


def test_diff_created_deleted() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
    assert created({"a": 1, "b": None, "c": ""}) == {"a": [None, 1]}
    assert deleted({"a": 1}) == {"a": [1, None]}
