from __future__ import annotations

from django.test import Client


def test_the_root_is_the_home_page_behind_sign_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_when_will_we_answer_renders_on_the_base_template(client: Client) -> None:
    response = client.get("/when/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>When will we answer?</h1>" in page
    assert "<title>When will we answer? · supportdesk</title>" in page
    assert 'src="/static/portal/htmx.min.js"' in page
    assert 'href="/static/portal/portal.css"' in page
