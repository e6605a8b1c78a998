from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from supportdesk.audit.models import AuditEvent
from supportdesk.routing.models import EngineerProfile, Queue
from tests.accounts.factories import StaffFactory
from tests.licensing.factories import ProductFactory
from tests.routing.factories import (
    CaseAssignmentFactory,
    EngineerProfileFactory,
    QueueFactory,
    SupportNumberFactory,
)

pytestmark = pytest.mark.django_db


def test_every_model_is_in_the_admin() -> None:
    models = list(apps.get_app_config("routing").get_models())

    assert [m._meta.label for m in models if not admin.site.is_registered(m)] == []


def test_list_and_change_pages_render(client: Client) -> None:
    client.force_login(StaffFactory.create(is_superuser=True))
    objects = [
        QueueFactory.create(),
        EngineerProfileFactory.create(),
        CaseAssignmentFactory.create(),
        SupportNumberFactory.create(),
    ]

    for obj in objects:
        meta = obj._meta
        listing = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        change = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/")
        assert (meta.label, listing.status_code, change.status_code) == (meta.label, 200, 200)


def test_a_profile_made_in_the_admin_goes_through_the_service(client: Client) -> None:
    client.force_login(StaffFactory.create(is_superuser=True))
    product = ProductFactory.create(code="BR")
    queue = QueueFactory.create(code="l1-en")
    user = StaffFactory.create()

    response = client.post(
        "/admin/routing/engineerprofile/add/",
        {
            "user": user.pk,
            "tier": "L2",
            "seniority": "senior",
            "languages": '["en", "fr"]',
            "products": [product.pk],
            "queues": [queue.pk],
            "time_zone": "Europe/Paris",
            "shifts": '[{"days": "mon-fri", "start": "09:00", "end": "17:00"}]',
        },
    )
    bad = client.post(
        "/admin/routing/engineerprofile/add/",
        {
            "user": StaffFactory.create().pk,
            "tier": "L1",
            "seniority": "senior",
            "languages": '["en"]',
            "time_zone": "Europe/Paris",
            "shifts": '[{"days": "someday", "start": "09:00", "end": "17:00"}]',
        },
    )

    assert response.status_code == 302
    profile = EngineerProfile.objects.get()
    assert (profile.user, profile.tier, profile.languages) == (user, "L2", ["en", "fr"])
    assert (list(profile.products.all()), list(profile.queues.all())) == ([product], [queue])
    assert AuditEvent.objects.get(action="engineer_profile.create").changes["queues"] == [
        None,
        ["l1-en"],
    ]
    assert bad.status_code == 200
    assert "a day such as mon" in bad.content.decode()
    assert Queue.objects.count() == 1
