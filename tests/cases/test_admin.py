from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from tests.accounts.factories import StaffFactory
from tests.cases.factories import (
    CaseFactory,
    CaseNumberCounterFactory,
    CommentFactory,
    ContactAttemptFactory,
    DiagnosticsRequestFactory,
    FeatureRequestFactory,
    ManagerRequestFactory,
    MilestoneFactory,
    SeverityChangeFactory,
    ThirdPartyReferralFactory,
)

pytestmark = pytest.mark.django_db


def test_every_model_is_in_the_admin_read_only() -> None:
    models = list(apps.get_app_config("cases").get_models())

    assert [m._meta.label for m in models if not admin.site.is_registered(m)] == []


def test_every_list_and_change_page_renders_without_writes(client: Client) -> None:
    client.force_login(StaffFactory.create(is_superuser=True))
    case = CaseFactory.create()
    objects = [
        case,
        CommentFactory.create(case=case),
        SeverityChangeFactory.create(case=case),
        CaseNumberCounterFactory.create(),
        ContactAttemptFactory.create(case=case),
        (milestone := MilestoneFactory.create()),
        milestone.resolution,
        ManagerRequestFactory.create(case=case),
        FeatureRequestFactory.create(case=case),
        ThirdPartyReferralFactory.create(case=case),
        DiagnosticsRequestFactory.create(case=case),
    ]

    for obj in objects:
        meta = obj._meta
        listing = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        change = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/")
        add = client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/")
        assert (meta.label, listing.status_code, change.status_code, add.status_code) == (
            meta.label,
            200,
            200,
            403,
        )
