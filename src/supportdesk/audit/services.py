"""Writing the audit trail. Every domain service calls :func:`audit_event_record` once, inside
its own transaction, so the change and its record commit or roll back together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError

from supportdesk import rows
from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict

Changes = dict[str, list[Any]]

_AS_IS = frozenset({str, int, bool, float, type(None)})


def jsonable(value: Any) -> Any:
    """A field value as it is stored in an audit record: dates in ISO 8601, objects by key."""
    if type(value) in _AS_IS:  # most values: answered before the checks below
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by their key), ready for :func:`diff`."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(instance, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{"field": [old, new]}`` for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def created(values: Mapping[str, Any]) -> Changes:
    """The changes of a new object: every field that has a value."""
    return {name: [None, value] for name, value in values.items() if value not in (None, "")}


def deleted(values: Mapping[str, Any]) -> Changes:
    return {name: [value, None] for name, value in values.items()}


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    changes: Mapping[str, Any],
    at: datetime,
    target_id: object = None,
) -> AuditEvent:
    """Append one audit event. ``target_id`` is for a target that was just deleted. Inside
    ``rows.pipelined`` the event's key is set at the block's end (nothing waits for it)."""
    if at.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    key = target.pk if target_id is None else target_id
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(key),
        target_repr=str(target)[:200],
        changes=jsonable(dict(changes)),
    )
    # a new row: the append-only guard of save() has nothing to refuse
    rows.insert(event, key_later=True)
    return event


def audited_delete(
    *,
    actor: User | None,
    instance: models.Model,
    before: Mapping[str, Any],
    action: str,
    at: datetime,
    protected: str | None = None,
) -> None:
    """Delete ``instance`` and append its audit event, ``before`` being its last values.

    A deletion that other rows still refer to is refused as a :class:`Conflict`: with
    ``protected``'s message, or one that says what still refers to it."""
    pk = instance.pk
    try:
        instance.delete()
    except ProtectedError as error:
        raise Conflict(protected or _still_referred(instance, error)) from None
    audit_event_record(
        actor=actor, action=action, target=instance, target_id=pk, changes=deleted(before), at=at
    )


def _still_referred(instance: models.Model, error: ProtectedError) -> str:
    counts: dict[str, int] = {}
    for row in error.protected_objects:
        name = str(row._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + 1
    referrers = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return f"{instance} cannot be deleted: {referrers} still refer to it."


def refuse_unknown(changes: Mapping[str, Any], allowed: Sequence[str] | frozenset[str]) -> None:
    """An update service's guard: a change to a field it does not change is a 422 on it."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
