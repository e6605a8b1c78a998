"""429 with Retry-After past a caller's API limit; the counter itself (supportdesk.ratelimit);
the client address behind proxies; and the shared Redis counter several processes use."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from pytest_django import Settings

from supportdesk.ratelimit import Limit, client_ip, hit
from tests.accounts.factories import ApiTokenFactory
from tests.api.calls import call


@pytest.fixture(autouse=True)
def _stopped_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mid-window: the counts of a test cannot be split by a minute's end."""
    from supportdesk import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_030.0)


def test_a_caller_gets_its_requests_and_then_a_wait_till_the_window_ends() -> None:
    limit = Limit("t", requests=3, seconds=60)

    assert [hit(limit, "alice", now=120.0 + i) for i in range(3)] == [None, None, None]
    assert hit(limit, "alice", now=150.0) == 30.0  # the window 120..180 ends in 30 s
    assert hit(limit, "bob", now=150.0) is None  # someone else is not slowed
    assert hit(limit, "alice", now=180.0) is None  # a new window


def test_a_limit_of_zero_is_off() -> None:
    limit = Limit("off", requests=0, seconds=60)

    assert {hit(limit, "x", now=1.0) for _ in range(1000)} == {None}


@pytest.mark.django_db
def test_the_api_answers_429_with_retry_after_past_the_callers_limit(
    client: Client, settings: Settings
) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {**settings.SUPPORTDESK_RATE_LIMITS, "api": (2, 60)}
    ApiTokenFactory.create(secret="sdt_alice")
    ApiTokenFactory.create(secret="sdt_bob")

    statuses = [call(client, "GET", "/tokens", token="sdt_alice")[0] for _ in range(3)]
    response = client.get("/api/v1/tokens", headers={"Authorization": "Bearer sdt_alice"})

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "50"  # the window ends at 1,000,080
    assert response.json() == {
        "errors": [{"field": None, "message": "Too many requests: slow down and retry later."}]
    }
    assert call(client, "GET", "/tokens", token="sdt_bob")[0] == 200  # per caller


@pytest.mark.django_db
def test_calls_without_a_sign_in_count_per_address_and_health_is_never_limited(
    client: Client, settings: Settings
) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {
        **settings.SUPPORTDESK_RATE_LIMITS,
        "api-anonymous": (2, 60),
    }

    policy = [client.get("/api/v1/policy").status_code for _ in range(3)]
    health = {client.get("/api/v1/health").status_code for _ in range(10)}

    assert policy == [200, 200, 429]
    assert health == {200}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry further left is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(
    settings: Settings, proxies: int, forwarded: str, expected: str
) -> None:
    settings.SUPPORTDESK_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_processes_sharing_redis_share_the_count(settings: Settings) -> None:
    """Two cache clients (as two processes have) on the machine's Redis count together."""
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
    }
    settings.CACHES = {"default": redis_cache, "other": redis_cache}
    limit = Limit("shared", requests=2, seconds=60)
    caller = f"caller-{id(settings)}"
    caches["default"].clear()

    first = hit(limit, caller, now=60.0)
    from supportdesk import ratelimit

    original = ratelimit.CACHE_ALIAS
    ratelimit.CACHE_ALIAS = "other"
    try:
        second = hit(limit, caller, now=61.0)
        third = hit(limit, caller, now=62.0)
    finally:
        ratelimit.CACHE_ALIAS = original
        caches["default"].clear()

    assert (first, second, third) == (None, None, 58.0)


@pytest.mark.django_db
def test_survey_links_cannot_be_guessed_at_speed(client: Client, settings: Settings) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {**settings.SUPPORTDESK_RATE_LIMITS, "survey": (3, 60)}

    api = [client.get(f"/api/v1/surveys/guess{i}").status_code for i in range(4)]
    page = client.get("/survey/guess-again/")

    assert api == [404, 404, 404, 429]
    assert page.status_code == 429  # the page and the API share the address's count
    assert page.headers["Retry-After"] == "50"


@pytest.mark.django_db
def test_one_person_cannot_mail_invitations_in_bulk(settings: Settings) -> None:
    """An organization's license administrator may invite, but not mail strangers by the
    hundred: the portal's form and the API count against the same limit, per person."""
    from supportdesk.accounts.models import Invitation
    from tests.accounts.factories import OrganizationFactory, member

    settings.SUPPORTDESK_RATE_LIMITS = {
        **settings.SUPPORTDESK_RATE_LIMITS,
        "invitation-send": (3, 3600),
    }
    org = OrganizationFactory.create()
    admin, other = member(org, "license_admin"), member(org, "license_admin")
    client = Client()
    client.force_login(admin)

    api = [
        client.post(
            f"/api/v1/organizations/{org.pk}/invitations",
            {"email": f"p{n}@example.com", "role": "member"},
            content_type="application/json",
        )
        for n in range(2)
    ]
    page = client.post(
        "/people/invite/", {"organization": org.pk, "email": "p2@example.com", "role": "member"}
    )
    over_page = client.post(
        "/people/invite/", {"organization": org.pk, "email": "p3@example.com", "role": "member"}
    )
    over_api = client.post(
        f"/api/v1/organizations/{org.pk}/invitations",
        {"email": "p4@example.com", "role": "member"},
        content_type="application/json",
    )

    assert [r.status_code for r in api] == [201, 201]
    assert page.status_code == 302
    assert over_page.status_code == over_api.status_code == 429
    assert int(over_api.headers["Retry-After"]) > 0
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    ]
    colleague = Client()
    colleague.force_login(other)  # per person: a colleague still may
    assert (
        colleague.post(
            f"/api/v1/organizations/{org.pk}/invitations",
            {"email": "p5@example.com", "role": "member"},
            content_type="application/json",
        ).status_code
        == 201
    )
