"""Every write of the downloads app: publishing releases and workarounds (staff), and the
weekly fix digest's subscriptions (each person their own). Atomic, audited; announcements go
out through the worker after the commit (R-38)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_person, is_staff
from supportdesk.audit.services import audit_event_record, created, deleted, snapshot
from supportdesk.downloads.models import DigestSubscription, Release, Workaround
from supportdesk.licensing.models import ProductVersion
from supportdesk.policy import InputError
from supportdesk.policy.entitlement import check_release_kind, lifecycle_state, may_publish

RELEASE_FIELDS = ("version", "kind", "name", "title", "notes", "url", "sha256", "size_bytes")
PUBLISHERS = "Only support staff publish releases, fixes and workarounds."


def _staff(actor: Actor) -> User | None:
    if actor is None:
        return None
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    if not is_staff(actor):
        raise PermissionDenied(PUBLISHERS)
    return actor if isinstance(actor, User) else None


@transaction.atomic
def release_publish(
    *,
    actor: Actor,
    version: ProductVersion,
    kind: str,
    name: str,
    title: str,
    url: str,
    notes: str = "",
    sha256: str = "",
    size_bytes: int | None = None,
    at: datetime,
) -> Release:
    """Publish a release of ``version``; refused for a kind its lifecycle no longer takes
    (R-36). Customers entitled to it are told by mail once the worker runs (R-38)."""
    user = _staff(actor)
    try:
        check_release_kind(kind)
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    decision = may_publish(kind, lifecycle_state(version.facts(), at.date()))
    if not decision.allowed:
        raise ValidationError({"kind": [decision.reason]})
    release = Release(
        version=version,
        kind=kind,
        name=name.strip(),
        title=title.strip(),
        notes=notes,
        url=url.strip(),
        sha256=sha256.strip().lower(),
        size_bytes=size_bytes,
        published_at=at,
        published_by=user,
    )
    release.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError:
        raise ValidationError(
            {"name": ["The version already has a release of this name."]}
        ) from None
    audit_event_record(
        actor=user,
        action="release.publish",
        target=release,
        changes=created(snapshot(release, RELEASE_FIELDS)),
        at=at,
    )
    from supportdesk.downloads.tasks import release_announce

    transaction.on_commit(lambda: release_announce.enqueue(release.pk))
    return release


@transaction.atomic
def workaround_create(
    *, actor: Actor, version: ProductVersion, title: str, text: str, at: datetime
) -> Workaround:
    user = _staff(actor)
    workaround = Workaround(version=version, title=title.strip(), text=text, created_at=at)
    workaround.full_clean()
    workaround.save()
    audit_event_record(
        actor=user,
        action="workaround.create",
        target=workaround,
        changes=created(snapshot(workaround, ("version", "title", "text"))),
        at=at,
    )
    return workaround


def _person(actor: Actor) -> User:
    if not isinstance(actor, User) or not is_person(actor):
        raise PermissionDenied("Sign in first.")
    return actor


@transaction.atomic
def digest_subscribe(*, actor: Actor, at: datetime) -> DigestSubscription:
    """Get the weekly digest of new fixes (R-38); subscribing twice changes nothing."""
    user = _person(actor)
    subscription, made = DigestSubscription.objects.get_or_create(
        user=user, defaults={"created_at": at, "last_sent_at": at}
    )
    if made:
        audit_event_record(
            actor=user,
            action="fix_digest.subscribe",
            target=subscription,
            changes=created({"user": user.pk}),
            at=at,
        )
        from supportdesk.downloads.tasks import digest_schedule

        transaction.on_commit(digest_schedule)
    return subscription


@transaction.atomic
def digest_unsubscribe(*, actor: Actor, at: datetime) -> None:
    user = _person(actor)
    subscription = DigestSubscription.objects.filter(user=user).first()
    if subscription is None:
        return
    pk = subscription.pk
    subscription.delete()
    audit_event_record(
        actor=user,
        action="fix_digest.unsubscribe",
        target=subscription,
        target_id=pk,
        changes=deleted({"user": user.pk}),
        at=at,
    )
