from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from supportdesk.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_users_are_in_the_admin() -> None:
    assert admin.site.is_registered(User)


def test_the_change_page_shows_the_preferences(client: Client) -> None:
    superuser = UserFactory.create(is_staff=True, is_superuser=True)
    user = UserFactory.create(time_zone="Asia/Tokyo")
    client.force_login(superuser)

    listing = client.get("/admin/accounts/user/")
    change = client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert listing.status_code == 200
    assert change.status_code == 200
    assert 'name="time_zone" value="Asia/Tokyo"' in change.content.decode()
    assert 'name="language" value="en"' in change.content.decode()
