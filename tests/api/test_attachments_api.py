"""The attachments API (R-3, R-27): resumable uploads, downloads with ranges, removal."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from supportdesk.attachments.models import Attachment, Upload
from supportdesk.audit.models import AuditEvent
from tests.accounts.factories import ApiTokenFactory, MembershipFactory, StaffFactory
from tests.api.calls import call
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

DATA = b"".join(b"2026-11-25 10:00:%02d INFO job %d finished\n" % (i % 60, i) for i in range(4000))
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def case_admin() -> Any:
    case = CaseFactory.create()
    user = MembershipFactory.create(organization=case.organization, role="case_admin").user
    ApiTokenFactory.create(user=user, secret="sdt_uploader")
    return case, user


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _patch(client: Client, url: str, offset: int, body: bytes, **headers: str) -> Any:
    return client.patch(
        url,
        data=body,
        content_type=headers.pop("content_type", "application/offset+octet-stream"),
        headers={"Authorization": "Bearer sdt_uploader", "Upload-Offset": str(offset), **headers},
    )


def _create(client: Client, number: str, **body: Any) -> tuple[int, Any]:
    payload = {"filename": "server.log", "length": len(DATA), "sha256": SHA, **body}
    return call(client, "POST", f"/cases/{number}/uploads", payload, token="sdt_uploader")


def test_an_upload_in_chunks_resumed_after_a_short_request_becomes_an_attachment(
    client: Client, case_admin: Any
) -> None:
    case, user = case_admin
    status, upload = _create(client, case.number)
    assert status == 201, upload
    assert (upload["offset"], upload["length"], upload["complete"]) == (0, len(DATA), False)
    url = upload["url"]

    first = _patch(client, url, 0, DATA[:50_000])
    assert first.status_code == 200
    assert first["Upload-Offset"] == "50000"
    head = client.head(url, headers={"Authorization": "Bearer sdt_uploader"})
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (
        200, "50000", str(len(DATA))
    )  # fmt: skip
    assert Attachment.objects.count() == 0  # nothing visible before the last byte

    last = _patch(client, url, 50_000, DATA[50_000:])
    assert last.status_code == 200, last.content
    body = json.loads(last.content)
    assert body["complete"] is True
    attachment = body["attachment"]
    assert (attachment["filename"], attachment["size"], attachment["sha256"]) == (
        "server.log", len(DATA), SHA
    )  # fmt: skip
    (event,) = AuditEvent.objects.filter(action="case.attachment_add")
    assert (event.target_type, event.target_id, event.actor_id) == (
        "cases.case",
        str(case.pk),
        user.pk,
    )
    assert event.changes == {
        "attachment": [
            None,
            {"id": attachment["id"], "filename": "server.log", "size": len(DATA), "sha256": SHA},
        ]
    }

    download = client.get(
        attachment["download_url"], headers={"Authorization": "Bearer sdt_uploader"}
    )
    assert download.status_code == 200
    assert content(download) == DATA
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"server.log\"; filename*=UTF-8''server.log"
    )
    partial = client.get(
        attachment["download_url"],
        headers={"Authorization": "Bearer sdt_uploader", "Range": "bytes=10-19"},
    )
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 10-19/{len(DATA)}"
    assert content(partial) == DATA[10:20]


def test_bad_requests_name_the_field_and_change_nothing(client: Client, case_admin: Any) -> None:
    case, _ = case_admin
    status, body = _create(client, case.number, filename="invoice\u202egol.exe", length=0)
    assert status == 422
    assert body == {
        "errors": [
            {
                "field": "filename",
                "message": "The file name contains invisible, control or direction-changing "
                "characters (U+202E); rename the file and try again.",
            },
            {
                "field": "length",
                "message": "The length must be a whole number of bytes, at least 1.",
            },
        ]
    }
    status, upload = _create(client, case.number)
    url = upload["url"]

    missing = _patch(client, url, 0, DATA[:10])
    del missing  # sent with the header: the next ones are not
    no_offset = client.patch(
        url,
        data=DATA[:10],
        content_type="application/offset+octet-stream",
        headers={"Authorization": "Bearer sdt_uploader"},
    )
    wrong_type = _patch(client, url, 10, DATA[10:20], content_type="application/json")
    wrong_offset = _patch(client, url, 5, DATA[5:20])
    too_long = _patch(client, url, 10, DATA[10:] + b"more")

    assert (no_offset.status_code, json.loads(no_offset.content)["errors"][0]["field"]) == (
        422, "Upload-Offset"
    )  # fmt: skip
    assert (wrong_type.status_code, json.loads(wrong_type.content)) == (
        415,
        {
            "errors": [
                {"field": None, "message": "Content-Type must be application/offset+octet-stream."}
            ]
        },
    )  # fmt: skip
    assert wrong_offset.status_code == 409
    assert json.loads(wrong_offset.content)["errors"][0]["message"].startswith(
        "Upload-Offset 5 is not where this upload stands (10 bytes received)"
    )
    assert (too_long.status_code, json.loads(too_long.content)["errors"][0]["field"]) == (
        422, "Content-Length"
    )  # fmt: skip
    assert Upload.objects.get().offset == 10


def test_a_wrong_checksum_answers_422_and_leaves_no_attachment(
    client: Client, case_admin: Any
) -> None:
    case, _ = case_admin
    _, upload = _create(client, case.number, sha256="0" * 64)

    answer = _patch(client, upload["url"], 0, DATA)

    assert answer.status_code == 422
    assert json.loads(answer.content)["errors"][0]["field"] == "sha256"
    assert (Upload.objects.count(), Attachment.objects.count()) == (0, 0)
    gone = client.head(upload["url"], headers={"Authorization": "Bearer sdt_uploader"})
    assert gone.status_code == 404


def test_downloads_are_never_inline_and_ranges_are_checked(client: Client, case_admin: Any) -> None:
    case, _ = case_admin
    _, upload = _create(client, case.number, filename="Zürich <script>.log")
    done = json.loads(_patch(client, upload["url"], 0, DATA).content)
    url = done["attachment"]["download_url"]
    auth = {"Authorization": "Bearer sdt_uploader"}

    whole = client.get(url, headers=auth)
    tail = client.get(url, headers={**auth, "Range": "bytes=-5"})
    past = client.get(url, headers={**auth, "Range": f"bytes={len(DATA)}-"})
    other_file = client.get(url, headers={**auth, "Range": "bytes=0-1", "If-Range": '"x"'})

    assert whole["Content-Disposition"] == (
        'attachment; filename="Z_rich <script>.log"; '
        "filename*=UTF-8''Z%C3%BCrich%20%3Cscript%3E.log"
    )
    assert whole["Content-Type"] == "application/octet-stream"
    assert whole["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert whole["Content-Length"] == str(len(DATA))
    assert (tail.status_code, content(tail)) == (206, DATA[-5:])
    assert (past.status_code, past["Content-Range"]) == (416, f"bytes */{len(DATA)}")
    assert (other_file.status_code, len(content(other_file))) == (200, len(DATA))


def test_a_staff_member_and_another_customer(client: Client, case_admin: Any) -> None:
    case, _ = case_admin
    _, upload = _create(client, case.number)
    done = json.loads(_patch(client, upload["url"], 0, DATA).content)
    ApiTokenFactory.create(user=StaffFactory.create(), secret="sdt_staff")
    stranger = MembershipFactory.create(role="case_admin").user
    ApiTokenFactory.create(user=stranger, secret="sdt_stranger")

    listed = call(client, "GET", f"/cases/{case.number}/attachments", token="sdt_staff")
    hidden = call(client, "GET", f"/attachments/{done['attachment']['id']}", token="sdt_stranger")
    not_theirs = call(client, "GET", f"/uploads/{upload['id']}", token="sdt_staff")

    assert (listed[0], [item["id"] for item in listed[1]]) == (200, [done["attachment"]["id"]])
    assert hidden == (404, {"errors": [{"field": None, "message": "Not found."}]})
    assert not_theirs == (404, {"errors": [{"field": None, "message": "Not found."}]})


def test_the_attachments_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    operations = {
        (path, method)
        for path, item in paths.items()
        for method, operation in item.items()
        if "attachments" in operation.get("tags", [])
    }
    assert operations == {
        ("/api/v1/cases/{number}/uploads", "post"),
        ("/api/v1/uploads/{upload_id}", "get"),
        ("/api/v1/uploads/{upload_id}", "head"),
        ("/api/v1/uploads/{upload_id}", "patch"),
        ("/api/v1/uploads/{upload_id}", "delete"),
        ("/api/v1/cases/{number}/attachments", "get"),
        ("/api/v1/attachments/{attachment_id}", "get"),
        ("/api/v1/attachments/{attachment_id}", "delete"),
        ("/api/v1/attachments/{attachment_id}/download", "get"),
    }
    patch = paths["/api/v1/uploads/{upload_id}"]["patch"]
    assert list(patch["requestBody"]["content"]) == ["application/offset+octet-stream"]
