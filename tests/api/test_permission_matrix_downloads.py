"""The permission matrix of downloads and fixes (R-9, R-36 to R-38): every role against
releases of a product the own organization holds with maintenance (VBR), one it holds with
lapsed maintenance (LAPSED), and one only another organization holds (SOLO); and the staff
operations.

Reuses the roles, world and tokens of ``test_permission_matrix``. A refused request or a read
changes nothing; an allowed write leaves exactly one audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client

from supportdesk.downloads.models import DigestSubscription, Release, Workaround
from supportdesk.licensing.models import ProductVersion
from tests.api.calls import call
from tests.api.test_permission_matrix import ROLES, TABLES, World, _build_world, _token
from tests.downloads.factories import ReleaseFactory
from tests.licensing.factories import LicenseFactory, ProductFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db

DL_TABLES: tuple[type[models.Model], ...] = (*TABLES, Release, Workaround, DigestSubscription)


@dataclass
class DlWorld:
    world: World
    versions: dict[str, ProductVersion]
    releases: dict[str, Release]  # "<product>:<kind>"


def _build() -> DlWorld:
    world = _build_world()
    versions = {"VBR": world.version}
    lapsed, solo = ProductFactory.create(code="LAPSED"), ProductFactory.create(code="SOLO")
    LicenseFactory.create(
        organization=world.scopes["own"].org, product=lapsed, maintenance_until=date(2025, 1, 1)
    )
    LicenseFactory.create(organization=world.scopes["other"].org, product=solo)
    versions["LAPSED"] = ProductVersionFactory.create(product=lapsed, version="1")
    versions["SOLO"] = ProductVersionFactory.create(product=solo, version="1")
    releases = {
        f"{code}:{kind}": ReleaseFactory.create(version=version, kind=kind)
        for code, version in versions.items()
        for kind in ("ga_release", "hotfix")
    }
    return DlWorld(world=world, versions=versions, releases=releases)


@pytest.fixture(scope="module")
def shared_dl(django_db_setup: None, django_db_blocker: Any) -> Iterator[DlWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def dl(shared_dl: DlWorld, db: None) -> DlWorld:
    return shared_dl


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {t._meta.label: list(t._default_manager.order_by("pk").values()) for t in DL_TABLES}


OPS: dict[str, tuple[str, str, Any]] = {
    "downloads:VBR": ("GET", "/versions/{VBR}/downloads", None),
    "downloads:SOLO": ("GET", "/versions/{SOLO}/downloads", None),
    "download:VBR:ga_release": ("GET", "/releases/{VBR:ga_release}/download", None),
    "download:VBR:hotfix": ("GET", "/releases/{VBR:hotfix}/download", None),
    "download:LAPSED:ga_release": ("GET", "/releases/{LAPSED:ga_release}/download", None),
    "download:LAPSED:hotfix": ("GET", "/releases/{LAPSED:hotfix}/download", None),
    "download:SOLO:ga_release": ("GET", "/releases/{SOLO:ga_release}/download", None),
    "download:SOLO:hotfix": ("GET", "/releases/{SOLO:hotfix}/download", None),
    "release.publish": (
        "POST",
        "/versions/{VBR}/releases",
        {"kind": "hotfix", "name": "P9", "title": "Fix", "url": "https://dl.example.com/p9"},
    ),
    "workaround.post": ("POST", "/versions/{VBR}/workarounds", {"title": "W", "text": "Do x."}),
    "digest.put": ("PUT", "/me/fix-digest", None),
}
GRID = """
op                         anon member case license p_active p_expired p_future staff
downloads:VBR              401  200    200  200     200      200       200      200
downloads:SOLO             401  200    200  200     200      200       200      200
download:VBR:ga_release    401  200    200  200     200      403       403      200
download:VBR:hotfix        401  200    200  200     200      403       403      200
download:LAPSED:ga_release 401  200    200  200     200      403       403      200
download:LAPSED:hotfix     401  403    403  403     403      403       403      200
download:SOLO:ga_release   401  403    403  403     403      403       403      200
download:SOLO:hotfix       401  403    403  403     403      403       403      200
release.publish            401  403    403  403     403      403       403      201
workaround.post            401  403    403  403     403      403       403      201
digest.put                 401  200    200  200     200      200       200      200
"""
NO_LICENSE = "Downloads are for holders of a license of the product."
NO_MAINTENANCE = (
    "A hotfix needs an active maintenance contract for at least one deployment of the "
    "product; without one, fixes come with the generally available releases (R-9)."
)
EXPECTED = {
    line.split()[0]: dict(zip(ROLES, map(int, line.split()[1:]), strict=True))
    for line in GRID.strip().splitlines()[1:]
}


def _url(dl: DlWorld, path: str) -> str:
    ids = {code: v.pk for code, v in dl.versions.items()}
    ids |= {key: r.pk for key, r in dl.releases.items()}
    for key, pk in sorted(ids.items(), key=lambda item: -len(item[0])):
        path = path.replace("{" + key + "}", str(pk))
    return path


@pytest.mark.parametrize(("op", "role"), [(op, role) for op in OPS for role in ROLES])
def test_matrix(client: Client, dl: DlWorld, op: str, role: str) -> None:
    method, path, body = OPS[op]
    before = snapshot()

    status, answer = call(client, method, _url(dl, path), body, token=_token(role))

    assert status == EXPECTED[op][role], answer
    after = snapshot()
    if method != "GET" and status < 400:
        assert len(after["audit.AuditEvent"]) == len(before["audit.AuditEvent"]) + 1
    else:
        assert after == before
    if op.startswith("download:") and status == 200:
        release = dl.releases[op.removeprefix("download:")]
        assert answer == {"url": release.url, "sha256": "", "size_bytes": None}
    if op.startswith("download:") and status == 403:
        licensed = role not in ("partner_expired", "partner_future")
        lapsed_hotfix = op == "download:LAPSED:hotfix" and licensed
        assert answer["errors"][0]["message"] == (NO_MAINTENANCE if lapsed_hotfix else NO_LICENSE)


def test_the_download_flags_follow_the_same_rule(client: Client, dl: DlWorld) -> None:
    status, body = call(client, "GET", _url(dl, "/versions/{LAPSED}/downloads"),
                        token=_token("member"))  # fmt: skip

    assert status == 200
    assert (body["licensed"], body["hotfix_access"]) == (True, False)
    assert sorted((r["kind"], r["download_allowed"]) for r in body["releases"]) == [
        ("ga_release", True),
        ("hotfix", False),
    ]


def test_the_grid_covers_every_operation() -> None:
    assert set(EXPECTED) == set(OPS)
