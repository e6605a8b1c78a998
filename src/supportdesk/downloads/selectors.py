"""Reads of the downloads app: which products' downloads a person sees, and for a version,
its releases with whether the person may download each (R-9), its workarounds and the
upgrade path (R-36, R-37). The decisions come from the policy core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from supportdesk.accounts.permissions import Actor, is_staff, licenses_visible_to
from supportdesk.downloads.models import Release, Workaround
from supportdesk.licensing.models import Product, ProductVersion
from supportdesk.policy import get_policy
from supportdesk.policy.entitlement import (
    Decision,
    lifecycle_state,
    may_download,
    resolve_entitlement,
    upgrade_target,
)


def today(at: datetime) -> date:
    return at.date()


@dataclass(frozen=True)
class Access:
    licensed: bool  # holds a license of the product (any state)
    hotfix_access: bool  # maintenance in force for at least one deployment


def access_to(user: Actor, product: Product, *, at: datetime) -> Access:
    """What ``user`` may download of ``product``: staff everything; others through the
    licenses of the product they may see (their organizations', their delegating
    customers')."""
    if user is None or is_staff(user):
        return Access(True, True)
    licenses = list(
        licenses_visible_to(user, at=at)
        .filter(product=product)
        .select_related("organization")
        .prefetch_related("lines")
    )
    policy = get_policy()
    maintained = any(
        resolve_entitlement(policy, lic.facts(), on=today(at)).maintenance_active
        for lic in licenses
    )
    return Access(bool(licenses), maintained)


def products_for(user: Actor, *, at: datetime) -> QuerySet[Product]:
    """The products whose downloads ``user`` sees: those of their licenses; all for staff."""
    if user is None or is_staff(user):
        return Product.objects.order_by("name")
    held = licenses_visible_to(user, at=at).values("product_id")
    return Product.objects.filter(pk__in=held).order_by("name")


def decision_for(release: Release, access: Access) -> Decision:
    return may_download(release.kind, licensed=access.licensed, hotfix_access=access.hotfix_access)


@dataclass(frozen=True)
class ReleaseRow:
    release: Release
    decision: Decision


@dataclass(frozen=True)
class VersionDownloads:
    version: ProductVersion
    lifecycle: str
    access: Access
    releases: list[ReleaseRow]
    workarounds: list[Workaround]
    upgrade_to: ProductVersion | None


def version_downloads(user: Actor, version: ProductVersion, *, at: datetime) -> VersionDownloads:
    on = today(at)
    access = access_to(user, version.product, at=at)
    siblings = {v.version: v for v in version.product.versions.all()}
    target = upgrade_target(
        version.facts(), {name: v.facts() for name, v in siblings.items()}, on=on
    )
    releases = Release.objects.filter(version=version).order_by("-published_at", "pk")
    return VersionDownloads(
        version=version,
        lifecycle=lifecycle_state(version.facts(), on),
        access=access,
        releases=[ReleaseRow(release, decision_for(release, access)) for release in releases],
        workarounds=list(version.workarounds.order_by("-created_at", "pk")),
        upgrade_to=siblings[target] if target else None,
    )


def releases_since(user: Actor, *, since: datetime, until: datetime) -> list[Release]:
    """The releases published in (since, until] that ``user`` may download, newest first:
    the content of their weekly digest (R-38)."""
    found = []
    access: dict[int, Access] = {}
    for release in (
        Release.objects.filter(published_at__gt=since, published_at__lte=until)
        .select_related("version__product")
        .order_by("-published_at", "pk")
    ):
        product = release.version.product
        if product.pk not in access:
            access[product.pk] = access_to(user, product, at=until)
        if decision_for(release, access[product.pk]).allowed:
            found.append(release)
    return found
