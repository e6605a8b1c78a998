from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError

from supportdesk.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_the_custom_user_model() -> None:
    assert get_user_model() is User


def test_defaults_utc_and_english() -> None:
    user = UserFactory.create()

    user.refresh_from_db()
    assert (user.time_zone, user.language) == ("UTC", "en")
    assert str(user) == user.username


def test_passwords_are_hashed_with_argon2() -> None:
    user = UserFactory.create(username="ana")

    assert user.password.startswith("argon2$argon2id$")
    assert authenticate(username="ana", password="correct horse battery staple") == user
    assert authenticate(username="ana", password="wrong") is None


def test_a_real_time_zone_and_language_validate() -> None:
    user = UserFactory.build(time_zone="Europe/Prague", language="pt-BR")

    user.full_clean(exclude=["password"])


def test_an_unknown_time_zone_is_refused() -> None:
    user = UserFactory.build(time_zone="Mars/Olympus_Mons")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert error.value.message_dict == {
        "time_zone": ["Mars/Olympus_Mons is not an IANA time zone (such as Europe/Prague)."]
    }


def test_a_malformed_language_is_refused() -> None:
    user = UserFactory.build(language="english")

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert error.value.message_dict == {
        "language": ["english is not a language tag (such as en, cs or pt-BR)."]
    }
