from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django_tasks_db.models import DBTaskResult

from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import StaffFactory
from tests.notifications.factories import OutboundMailFactory, SlaAlertFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("app", ["notifications", "surveys"])
def test_every_model_is_in_the_admin(app: str) -> None:
    models = list(apps.get_app_config(app).get_models())

    assert [m._meta.label for m in models if not admin.site.is_registered(m)] == []


def test_every_list_and_change_page_renders_and_nothing_is_added(client: Client) -> None:
    client.force_login(StaffFactory.create(is_superuser=True))
    survey = SurveyFactory.create()
    objects = [OutboundMailFactory.create(), SlaAlertFactory.create(), survey]

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
    survey_page = client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()
    assert survey.token_digest not in survey_page


def test_failed_mail_is_queued_again_from_the_admin(client: Client) -> None:
    client.force_login(StaffFactory.create(is_superuser=True))
    failed = OutboundMailFactory.create(status="failed", attempts=50, last_error="550 no")
    sent = OutboundMailFactory.create(status="sent", attempts=1)

    response = client.post(
        "/admin/notifications/outboundmail/",
        {"action": "requeue", "_selected_action": [failed.pk, sent.pk]},
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, sent.status) == ("pending", 0, "sent")
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [failed.pk]
    assert OutboundMail.objects.filter(status="pending").count() == 1
