from __future__ import annotations

from importlib.metadata import version

from django.test import Client


def test_the_openapi_document_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    document = response.json()
    assert response.status_code == 200
    assert document["info"]["title"] == "supportdesk API"
    assert document["info"]["version"] == "1"
    assert "/api/v1/health" in document["paths"]


def test_the_interactive_docs_are_served(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.content.decode()


def test_health(client: Client) -> None:
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": version("supportdesk")}
