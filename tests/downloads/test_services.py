"""Publishing releases (R-36), who may download them (R-9), announcements and the weekly fix
digest (R-38)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from supportdesk.audit.models import AuditEvent
from supportdesk.downloads import services, tasks
from supportdesk.downloads.models import DigestSubscription, Release
from supportdesk.downloads.selectors import access_to, releases_since, version_downloads
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import MembershipFactory, PersonFactory, StaffFactory
from tests.downloads.factories import DigestSubscriptionFactory, ReleaseFactory
from tests.licensing.factories import LicenseFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _customer(product, *, maintained: bool, role: str = "license_admin"):
    membership = MembershipFactory.create(role=role)
    LicenseFactory.create(
        organization=membership.organization,
        product=product,
        maintenance_until=date(2099, 1, 1) if maintained else date(2025, 12, 31),
    )
    return membership.user


def test_publishing_a_hotfix_is_audited_and_queues_its_announcement(
    django_capture_on_commit_callbacks,
) -> None:
    version = ProductVersionFactory.create(ga=date(2025, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        release = services.release_publish(
            actor=StaffFactory.create(), version=version, kind="hotfix", name="P1",
            title="Fixes VSS timeouts", url="https://downloads.example.com/p1.zip", at=AT,
        )  # fmt: skip

    (event,) = AuditEvent.objects.filter(action="release.publish")
    assert event.changes["kind"] == [None, "hotfix"]
    (queued,) = DBTaskResult.objects.filter(task_path=tasks.release_announce.module_path)
    assert queued.args_kwargs["args"] == [release.pk]


def test_no_new_fixes_for_a_version_past_end_of_fix() -> None:
    version = ProductVersionFactory.create(ga=date(2023, 1, 1), end_of_fix=date(2026, 1, 1))

    with pytest.raises(ValidationError) as caught:
        services.release_publish(
            actor=StaffFactory.create(), version=version, kind="hotfix", name="P1", title="x",
            url="https://downloads.example.com/p1.zip", at=AT,
        )  # fmt: skip

    assert list(caught.value.message_dict) == ["kind"]
    assert (Release.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_customers_do_not_publish() -> None:
    version = ProductVersionFactory.create()
    with pytest.raises(PermissionDenied):
        services.release_publish(
            actor=MembershipFactory.create().user, version=version, kind="ga_release",
            name="1", title="x", url="https://downloads.example.com/1.iso", at=AT,
        )  # fmt: skip
    assert Release.objects.count() == 0


def test_hotfixes_need_maintenance_on_one_deployment_of_the_product() -> None:
    version = ProductVersionFactory.create()
    product = version.product
    lapsed = _customer(product, maintained=False)
    maintained = _customer(product, maintained=True)
    stranger = PersonFactory.create()
    ga = ReleaseFactory.create(version=version)
    hotfix = ReleaseFactory.create(version=version, kind="hotfix")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def allowed(user) -> list[int]:
        found = version_downloads(user, version, at=now)
        return [row.release.pk for row in found.releases if row.decision.allowed]

    assert sorted(allowed(maintained)) == sorted([ga.pk, hotfix.pk])
    assert allowed(lapsed) == [ga.pk]
    assert allowed(stranger) == []
    # a second license of the product with maintenance opens the hotfixes
    LicenseFactory.create(
        organization=lapsed.memberships.get().organization,
        product=product,
        maintenance_until=date(2099, 1, 1),
    )
    assert access_to(lapsed, product, at=now).hotfix_access is True


def test_the_announcement_goes_to_the_entitled_administrators_once() -> None:
    version = ProductVersionFactory.create()
    maintained = _customer(version.product, maintained=True)
    _customer(version.product, maintained=False)  # no hotfix access: not told
    _customer(version.product, maintained=True, role="member")  # not an administrator
    hotfix = ReleaseFactory.create(version=version, kind="hotfix", name="P7")

    assert tasks.release_announce.call(hotfix.pk) == 1
    assert tasks.release_announce.call(hotfix.pk) == 0  # safe to run twice

    (mail,) = OutboundMail.objects.all()
    assert (mail.to_address, mail.kind) == (maintained.email, "release_announcement")
    assert mail.subject == f"{version.product.name} {version.version}: Hotfix P7 is available"
    hotfix.refresh_from_db()
    assert hotfix.announced_at is not None


def test_the_weekly_digest_lists_what_the_subscriber_may_download() -> None:
    version = ProductVersionFactory.create()
    lapsed = _customer(version.product, maintained=False)
    lapsed.language = "cs"
    lapsed.save(update_fields=["language"])
    subscription = DigestSubscriptionFactory.create(user=lapsed, last_sent_at=AT)
    ReleaseFactory.create(
        version=version, name="12.1.1", kind="maintenance_release",
        title="Maintenance", published_at=AT + timedelta(days=2),
    )  # fmt: skip
    ReleaseFactory.create(version=version, kind="hotfix", published_at=AT + timedelta(days=3))
    ReleaseFactory.create(version=version, name="old", published_at=AT - timedelta(days=1))
    now = AT + timedelta(days=7)

    assert [r.name for r in releases_since(lapsed, since=AT, until=now)] == ["12.1.1"]
    assert tasks.digest_send(now=now) == 1
    assert tasks.digest_send(now=now) == 0  # not a week since: nothing

    (mail,) = OutboundMail.objects.all()
    assert (mail.language, mail.subject) == ("cs", "Nové opravy tohoto týdne (1)")
    assert "12.1.1: Maintenance" in mail.body
    subscription.refresh_from_db()
    assert subscription.last_sent_at == now


def test_subscribing_twice_makes_one_subscription_and_schedules_the_digest(
    django_capture_on_commit_callbacks,
) -> None:
    user = PersonFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_subscribe(actor=user, at=AT)
        services.digest_subscribe(actor=user, at=AT)

    assert DigestSubscription.objects.filter(user=user).count() == 1
    assert DBTaskResult.objects.filter(task_path=tasks.fix_digest.module_path).count() == 1
    services.digest_unsubscribe(actor=user, at=AT)
    assert not DigestSubscription.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "fix_digest.subscribe",
        "fix_digest.unsubscribe",
    ]
