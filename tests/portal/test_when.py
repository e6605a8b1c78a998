"""The public "When will we answer?" page (issue: foundation, point 6)."""

from __future__ import annotations

from django.test import Client

GOOD = {
    "program": "basic",
    "severity": "2",
    "opened_at": "2026-12-23T19:00",
    "timezone": "Europe/Prague",
    "country": "CZ",
}


def test_empty_form_has_every_choice(client: Client) -> None:
    response = client.get("/when/")
    assert response.status_code == 200
    html = response.content.decode()
    for value in ("premium", "production", "basic", "trial", "free", "Europe/Prague", '"CZ"'):
        assert value in html
    assert 'for="id_opened_at"' in html  # every field has its label


def test_answer_with_explanation_and_viewer_time(client: Client) -> None:
    response = client.get("/when/", {**GOOD, "viewer_tz": "America/New_York"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'datetime="2026-12-28T15:00:00+01:00"' in html
    assert 'datetime="2026-12-28T09:00:00-05:00"' in html  # in the viewer's own zone
    # the text shown, not only the machine-readable attribute, is in the customer's zone
    assert "Monday 28 December 2026, 15:00" in html
    assert "UTC+0100" in html
    assert ">Monday 28 December 2026, 09:00</time>" in html  # and in the viewer's
    assert "Wed 23 Dec 19:00" in html  # the first counted segment, Prague time
    assert "Christmas Eve" in html
    assert "Christmas Day" in html
    assert "R-17" in html


def test_htmx_request_gets_only_the_answer(client: Client) -> None:
    response = client.get("/when/", GOOD, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'datetime="2026-12-28T15:00:00+01:00"' in html
    assert "<html" not in html


def test_no_target_says_best_effort(client: Client) -> None:
    html = client.get("/when/", {**GOOD, "program": "trial", "severity": "1"}).content.decode()
    assert "No response-time target" in html
    assert "R-18" in html


def test_bad_input_names_the_field(client: Client) -> None:
    response = client.get("/when/", {**GOOD, "subdivision": "QQ"})
    assert response.status_code == 422
    assert "unknown subdivision" in response.content.decode()
    response = client.get("/when/", {**GOOD, "opened_at": "not a time"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Case opened at" in html
    assert "Enter a valid date/time" in html
    response = client.get("/when/", {**GOOD, "program": "gold"})
    assert response.status_code == 422
