"""Downloads and fixes (R-9, R-36 to R-38): each product version's releases and hotfixes with
whether the caller may download each, known workarounds and the upgrade path; publishing
(staff) and the weekly fix digest's subscription."""

# No `from __future__ import annotations`: ninja reads the views' annotations.

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.downloads import selectors, services
from supportdesk.downloads.models import DigestSubscription, Release
from supportdesk.licensing.models import ProductVersion

router = Router(tags=["downloads"], auth=SIGNED_IN)

Kind = Literal["ga_release", "maintenance_release", "hotfix"]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


class ReleaseOut(Schema):
    id: int
    version: int
    kind: str
    name: str
    title: str
    notes: str
    published_at: datetime
    size_bytes: int | None
    download_allowed: bool
    reason: str


class WorkaroundOut(Schema):
    id: int
    title: str
    text: str
    created_at: datetime


class VersionDownloadsOut(Schema):
    product: str
    version: str
    lifecycle: str = Field(description="ga, end_of_fix, end_of_support, ... today (R-36)")
    licensed: bool = Field(description="you hold a license of the product")
    hotfix_access: bool = Field(description="maintenance in force for the product (R-9)")
    upgrade_to: str | None = Field(description="the newest GA/current version after it (R-37)")
    releases: list[ReleaseOut]
    workarounds: list[WorkaroundOut]


def _release(row: selectors.ReleaseRow) -> dict[str, Any]:
    r = row.release
    return {
        "id": r.pk,
        "version": r.version_id,
        "kind": r.kind,
        "name": r.name,
        "title": r.title,
        "notes": r.notes,
        "published_at": r.published_at,
        "size_bytes": r.size_bytes,
        "download_allowed": row.decision.allowed,
        "reason": row.decision.reason,
    }


@router.get(
    "/versions/{int:version_id}/downloads",
    response={200: VersionDownloadsOut, **ERRORS},
    summary="A version's releases and hotfixes, workarounds and upgrade path (R-9, R-36, R-37)",
)
def version_downloads(request: HttpRequest, version_id: int) -> dict[str, Any]:
    version = ProductVersion.objects.select_related("product").get(pk=version_id)
    found = selectors.version_downloads(_user(request), version, at=timezone.now())
    return {
        "product": version.product.code,
        "version": version.version,
        "lifecycle": found.lifecycle,
        "licensed": found.access.licensed,
        "hotfix_access": found.access.hotfix_access,
        "upgrade_to": found.upgrade_to.version if found.upgrade_to else None,
        "releases": [_release(row) for row in found.releases],
        "workarounds": [
            {"id": w.pk, "title": w.title, "text": w.text, "created_at": w.created_at}
            for w in found.workarounds
        ],
    }


class DownloadOut(Schema):
    url: str
    sha256: str
    size_bytes: int | None


@router.get(
    "/releases/{int:release_id}/download",
    response={200: DownloadOut, **ERRORS},
    summary="Where to download a release, if you may (R-9); 403 with the reason otherwise",
)
def release_download(request: HttpRequest, release_id: int) -> Release:
    release = Release.objects.select_related("version__product").get(pk=release_id)
    access = selectors.access_to(_user(request), release.version.product, at=timezone.now())
    decision = selectors.decision_for(release, access)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return release


class ReleaseIn(Schema):
    kind: Kind
    name: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=500)
    notes: str = ""
    sha256: str = Field("", pattern=r"^([0-9a-fA-F]{64})?$")
    size_bytes: int | None = Field(None, ge=0)


@router.post(
    "/versions/{int:version_id}/releases",
    response={201: ReleaseOut, **ERRORS},
    summary="Publish a release or hotfix (staff); entitled customers are told by mail (R-38)",
)
def release_publish(request: HttpRequest, version_id: int, payload: ReleaseIn) -> Status[Any]:
    release = services.release_publish(
        actor=_user(request),
        version=ProductVersion.objects.get(pk=version_id),
        at=timezone.now(),
        **payload.model_dump(),
    )
    staff = selectors.Access(licensed=True, hotfix_access=True)
    row = selectors.ReleaseRow(release, selectors.decision_for(release, staff))
    return Status(201, _release(row))


class WorkaroundIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)


@router.post(
    "/versions/{int:version_id}/workarounds",
    response={201: WorkaroundOut, **ERRORS},
    summary="Record a known workaround (staff, R-37)",
)
def workaround_create(request: HttpRequest, version_id: int, payload: WorkaroundIn) -> Status[Any]:
    workaround = services.workaround_create(
        actor=_user(request),
        version=ProductVersion.objects.get(pk=version_id),
        title=payload.title,
        text=payload.text,
        at=timezone.now(),
    )
    return Status(201, workaround)


class DigestOut(Schema):
    subscribed: bool
    since: datetime | None


@router.get("/me/fix-digest", response={200: DigestOut, **ERRORS})
def digest_get(request: HttpRequest) -> dict[str, Any]:
    found = DigestSubscription.objects.filter(user=_user(request)).first()
    return {"subscribed": found is not None, "since": found.created_at if found else None}


@router.put(
    "/me/fix-digest",
    response={200: DigestOut, **ERRORS},
    summary="Get the weekly digest of new fixes by mail (R-38)",
)
def digest_subscribe(request: HttpRequest) -> dict[str, Any]:
    found = services.digest_subscribe(actor=_user(request), at=timezone.now())
    return {"subscribed": True, "since": found.created_at}


@router.delete("/me/fix-digest", response={204: None, **ERRORS})
def digest_unsubscribe(request: HttpRequest) -> Status[Any]:
    services.digest_unsubscribe(actor=_user(request), at=timezone.now())
    return Status(204, None)
