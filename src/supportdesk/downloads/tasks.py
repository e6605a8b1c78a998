"""Announcements of new releases and the weekly digest of new fixes (R-38). Safe to run twice:
every mail has a dedup key, so a second run queues nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from supportdesk.accounts.choices import MembershipRole
from supportdesk.accounts.models import User
from supportdesk.downloads.models import DigestSubscription, Release
from supportdesk.downloads.selectors import access_to, decision_for, releases_since
from supportdesk.notifications.services import mail_queue

WEEK = timedelta(days=7)


def _release_context(release: Release) -> dict[str, Any]:
    return {
        "product": release.version.product.name,
        "version": release.version.version,
        "name": release.name,
        "title": release.title,
        "kind": release.get_kind_display(),
        "notes": release.notes,
    }


def announcement_recipients(release: Release) -> list[User]:
    """The license and case administrators of the customers with a license of the product
    who may download the release (for a hotfix: with maintenance in force, R-9)."""
    people = (
        User.objects.filter(
            is_active=True,
            memberships__role__in=(MembershipRole.LICENSE_ADMIN, MembershipRole.CASE_ADMIN),
            memberships__organization__licenses__product=release.version.product,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    now = timezone.now()
    return [
        person
        for person in people
        if decision_for(release, access_to(person, release.version.product, at=now)).allowed
    ]


@task
def release_announce(release_id: int) -> int:
    """Mail the release to those entitled to it; returns how many mails were queued now."""
    release = Release.objects.select_related("version__product").filter(pk=release_id).first()
    if release is None:
        return 0
    now = timezone.now()
    queued = 0
    with transaction.atomic():
        for person in announcement_recipients(release):
            mail = mail_queue(
                to=person.email,
                to_name=person.get_full_name(),
                template="release_announcement",
                context=_release_context(release),
                language=person.language,
                dedup_key=f"release-{release.pk}-to-{person.pk}",
                at=now,
            )
            queued += mail.created_at == now
        Release.objects.filter(pk=release.pk, announced_at__isnull=True).update(announced_at=now)
    return queued


def digest_send(*, now: datetime) -> int:
    """Send each subscriber the fixes published since their last digest that they may
    download (none: no mail); returns the number of mails queued."""
    queued = 0
    for subscription in DigestSubscription.objects.select_related("user").order_by("pk"):
        user = subscription.user
        since = subscription.last_sent_at or subscription.created_at
        if now - since < WEEK - timedelta(hours=1):
            continue
        with transaction.atomic():
            releases = releases_since(user, since=since, until=now)
            if releases and user.email:
                mail_queue(
                    to=user.email,
                    to_name=user.get_full_name(),
                    template="fix_digest",
                    context={"releases": [_release_context(r) for r in releases]},
                    language=user.language,
                    dedup_key=f"fix-digest-{user.pk}-{now:%Y%m%d}",
                    at=now,
                )
                queued += 1
            DigestSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return queued


@task
def fix_digest() -> int:
    """The weekly run; schedules the next one."""
    sent = digest_send(now=timezone.now())
    digest_schedule()
    return sent


def digest_schedule() -> None:
    """Queue the next weekly digest unless one is waiting already."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=fix_digest.module_path, status="READY")
    if not waiting.exists():
        fix_digest.using(run_after=timezone.now() + WEEK).enqueue()
