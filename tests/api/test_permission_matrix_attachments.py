"""The permission matrix of attachments and uploads (R-3, R-4, R-27), on the world of
``test_permission_matrix``: every role x the own organization's object and another
organization's x every attachment and upload endpoint and verb.

Each cell asserts the exact status; anything a caller may not see answers the uniform 404.
A read, and any refused request, changes nothing in the database (audit trail included); an
allowed removal of an attachment leaves exactly one audit event on the case. An upload in
progress belongs to the person who started it (the own organization's case administrator
here, another organization's for the other one): nobody else, staff included, sees it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client
from pytest_django import Settings

from supportdesk.attachments.models import Attachment, Upload
from supportdesk.attachments.storage import LocalStorage
from supportdesk.cases.models import Case
from tests.accounts.factories import MembershipFactory
from tests.api import test_permission_matrix as base
from tests.api.calls import API
from tests.api.test_permission_matrix import ROLES, TARGETS, World, _build_world, _token
from tests.attachments.factories import AttachmentFactory, UploadFactory

pytestmark = pytest.mark.django_db

BYTES = b"2026-06-01 09:00:00 INFO ready\n"
TABLES: tuple[type[models.Model], ...] = (*base.TABLES, Attachment, Upload)


@dataclass
class Objects:
    attachment: Attachment
    upload: Upload


@dataclass
class AttachmentWorld:
    world: World
    objects: dict[str, Objects]
    root: Path


def _objects(case: Case, creator: Any, storage: LocalStorage) -> Objects:
    attachment = AttachmentFactory.create(
        case=case,
        filename="server.log",
        size=len(BYTES),
        sha256=hashlib.sha256(BYTES).hexdigest(),
    )
    path = storage.root / "objects" / attachment.storage_key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BYTES)
    upload = UploadFactory.create(
        case=case, created_by=creator, filename="bundle.log", file_type=".log", length=100
    )
    storage.create(upload.storage_key)
    return Objects(attachment=attachment, upload=upload)


@pytest.fixture(scope="module")
def shared_attachment_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AttachmentWorld]:
    root = tmp_path_factory.mktemp("matrix-uploads")
    storage = LocalStorage(root)
    with django_db_blocker.unblock(), transaction.atomic():
        world = _build_world()
        own_admin = world.users["case_admin"]
        other = world.scopes["other"]
        other_admin = MembershipFactory.create(organization=other.org, role="case_admin").user
        objects = {
            "own": _objects(world.scopes["own"].case, own_admin, storage),
            "other": _objects(other.case, other_admin, storage),
        }
        yield AttachmentWorld(world=world, objects=objects, root=root)
        transaction.set_rollback(True)


@pytest.fixture
def aworld(
    shared_attachment_world: AttachmentWorld, db: None, settings: Settings
) -> AttachmentWorld:
    settings.UPLOAD_STORAGE = {"backend": "local", "root": shared_attachment_world.root}
    return shared_attachment_world


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    body: Any = None
    audited: bool = False  # an allowed call leaves one audit event on the case

    def url(self, scope: Any, objects: Objects) -> str:
        return API + self.path.format(
            case=scope.case.number, attachment=objects.attachment.pk, upload=objects.upload.pk
        )


NEW_UPLOAD = {"filename": "more.log", "length": 100, "sha256": "0" * 64}
OPS: dict[str, Op] = {
    "attachment.list": Op("GET", "/cases/{case}/attachments"),
    "attachment.get": Op("GET", "/attachments/{attachment}"),
    "attachment.download": Op("GET", "/attachments/{attachment}/download"),
    "attachment.delete": Op("DELETE", "/attachments/{attachment}", audited=True),
    "upload.post": Op("POST", "/cases/{case}/uploads", NEW_UPLOAD),
    "upload.get": Op("GET", "/uploads/{upload}"),
    "upload.head": Op("HEAD", "/uploads/{upload}"),
    "upload.patch": Op("PATCH", "/uploads/{upload}", BYTES),
    "upload.delete": Op("DELETE", "/uploads/{upload}"),
}

# One row per operation, one column per signed-in role: "<own>/<other organization's>".
# Anonymous callers get 401 everywhere.
GRID = """
                     member   case_adm license_ partner_ partner_ partner_ staff
                              in       admin    active   expired  future
attachment.list      200/404  200/404  200/404  200/404  404/404  404/404  200/200
attachment.get       200/404  200/404  200/404  200/404  404/404  404/404  200/200
attachment.download  200/404  200/404  200/404  200/404  404/404  404/404  200/200
attachment.delete    403/404  204/404  204/404  204/404  404/404  404/404  204/204
upload.post          403/404  201/404  201/404  201/404  404/404  404/404  201/201
upload.get           404/404  200/404  404/404  404/404  404/404  404/404  404/404
upload.head          404/404  200/404  404/404  404/404  404/404  404/404  404/404
upload.patch         404/404  200/404  404/404  404/404  404/404  404/404  404/404
upload.delete        404/404  204/404  404/404  404/404  404/404  404/404  404/404
"""

EXPECTED = base._parse_grid(GRID)
CELLS = [(op, role, target) for op in OPS for role in ROLES for target in TARGETS]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        table.__name__: list(table._default_manager.order_by("pk").values()) for table in TABLES
    }


def _send(client: Client, op: Op, url: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if op.method == "PATCH":
        return client.patch(
            url,
            data=op.body,
            content_type="application/offset+octet-stream",
            headers={**headers, "Upload-Offset": "0"},
        )
    if op.method == "POST":
        return client.post(url, data=op.body, content_type="application/json", headers=headers)
    return getattr(client, op.method.lower())(url, headers=headers)


def test_the_expectations_cover_every_operation_and_role() -> None:
    assert set(EXPECTED) == set(OPS)
    for row in EXPECTED.values():
        assert set(row) == set(ROLES)


@pytest.mark.parametrize(("op", "role", "target"), CELLS)
def test_attachment_matrix(
    client: Client, aworld: AttachmentWorld, op: str, role: str, target: str
) -> None:
    operation = OPS[op]
    scope = aworld.world.scopes[target]
    objects = aworld.objects[target]
    expected = EXPECTED[op][role][TARGETS.index(target)]
    before = snapshot()

    response = _send(client, operation, operation.url(scope, objects), _token(role))

    assert response.status_code == expected, response.content
    if response.status_code == 404 and operation.method != "HEAD":
        assert response.json() == {"errors": [{"field": None, "message": "Not found."}]}
    if op == "attachment.download" and response.status_code == 200:
        assert b"".join(response.streaming_content) == BYTES
        assert response["Content-Disposition"].startswith("attachment;")
    after = snapshot()
    if response.status_code >= 400 or operation.method in ("GET", "HEAD"):
        assert after == before
        return
    added = len(after["AuditEvent"]) - len(before["AuditEvent"])
    assert added == (1 if operation.audited else 0)
    if operation.audited:
        event = after["AuditEvent"][-1]
        assert (event["target_type"], event["target_id"]) == ("cases.case", str(scope.case.pk))


def test_the_matrix_size() -> None:
    assert len(CELLS) == 144
