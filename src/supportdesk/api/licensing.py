"""Products and versions (R-36), licenses (R-5 to R-9), Support IDs (R-2) and entitlements.

Products and versions are a catalog everyone signed in may read; licenses and Support IDs are
seen by their organization's people, its active partners and staff, and issued by staff.
"""

# No `from __future__ import annotations`: @paginate has ninja read the views' annotations
# outside this module, so they must be objects, not strings.

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from supportdesk.accounts import permissions
from supportdesk.accounts.models import Organization, User
from supportdesk.api.accounts import ERRORS, PAGE_SIZE
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.pagination import Pages
from supportdesk.api.types import Instant
from supportdesk.licensing import services
from supportdesk.licensing.models import (
    License,
    LicenseLine,
    LicenseUpdateRequest,
    Product,
    ProductVersion,
    SupportId,
)
from supportdesk.licensing.selectors import entitlement_for, support_id_get, version_lifecycle
from supportdesk.policy.entitlement import SocketLine

router = Router(tags=["licensing"], auth=SIGNED_IN)

LicenseTypeKey = Literal["perpetual", "subscription", "trial", "free", "community", "nfr"]
Level = Literal["basic", "production", "premium"]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


# --- products --------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    code: str
    name: str
    is_flagship: bool


class ProductIn(Schema):
    code: str = Field(min_length=1, max_length=20, description="such as VBR")
    name: str = Field(min_length=1, max_length=200)
    is_flagship: bool = Field(False, description="L1 support in regional languages (R-20)")


class ProductPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    is_flagship: bool | None = None


@router.get("/products", response=list[ProductOut], summary="The product catalog")
@paginate(Pages, page_size=PAGE_SIZE)
def product_list(request: HttpRequest) -> QuerySet[Product]:
    return Product.objects.order_by("name", "pk")


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Add a product (staff)")
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Any]:
    product = services.product_create(
        actor=_user(request),
        code=payload.code,
        name=payload.name,
        is_flagship=payload.is_flagship,
        at=timezone.now(),
    )
    return Status(201, product)


@router.get("/products/{int:product_id}", response={200: ProductOut, **ERRORS})
def product_get(request: HttpRequest, product_id: int) -> Product:
    return Product.objects.get(pk=product_id)


@router.patch("/products/{int:product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    return services.product_update(
        actor=_user(request),
        product=Product.objects.get(pk=product_id),
        changes=payload.model_dump(exclude_unset=True),
        at=timezone.now(),
    )


@router.delete("/products/{int:product_id}", response={204: None, **ERRORS})
def product_delete(request: HttpRequest, product_id: int) -> Status[Any]:
    services.product_delete(
        actor=_user(request), product=Product.objects.get(pk=product_id), at=timezone.now()
    )
    return Status(204, None)


# --- versions (R-36) -------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    product: str = Field(description="the product's code")
    version: str
    ga: date | None
    end_of_fix: date | None
    end_of_support: date | None
    end_of_sale: date | None
    lifecycle: str = Field(
        description="unreleased, ga, end_of_fix, end_of_support or end_of_sale, on `on`"
    )

    @staticmethod
    def resolve_product(obj: ProductVersion) -> str:
        return obj.product.code

    @staticmethod
    def resolve_lifecycle(obj: ProductVersion, context: dict[str, Any]) -> str:
        on = getattr(context["request"], "lifecycle_on", None) or timezone.now().date()
        return version_lifecycle(obj, on)


class VersionIn(Schema):
    version: str = Field(min_length=1, max_length=40)
    ga: date | None = None
    end_of_fix: date | None = None
    end_of_support: date | None = None
    end_of_sale: date | None = None


class VersionPatch(Schema):
    version: str | None = Field(None, min_length=1, max_length=40)
    ga: date | None = None
    end_of_fix: date | None = None
    end_of_support: date | None = None
    end_of_sale: date | None = None


class LifecycleQuery(Schema):
    on: date | None = Field(None, description="the lifecycle state on this date (default: today)")


@router.get(
    "/products/{int:product_id}/versions",
    response=list[VersionOut],
    summary="A product's versions and their lifecycle state (R-36)",
)
@paginate(Pages, page_size=PAGE_SIZE)
def version_list(
    request: HttpRequest, product_id: int, query: Query[LifecycleQuery]
) -> QuerySet[ProductVersion]:
    product = Product.objects.get(pk=product_id)
    request.lifecycle_on = query.on  # type: ignore[attr-defined]
    return product.versions.select_related("product").order_by("ga", "version", "pk")


@router.post(
    "/products/{int:product_id}/versions",
    response={201: VersionOut, **ERRORS},
    summary="Add a version (staff)",
)
def version_create(request: HttpRequest, product_id: int, payload: VersionIn) -> Status[Any]:
    version = services.product_version_create(
        actor=_user(request),
        product=Product.objects.get(pk=product_id),
        version=payload.version,
        ga=payload.ga,
        end_of_fix=payload.end_of_fix,
        end_of_support=payload.end_of_support,
        end_of_sale=payload.end_of_sale,
        at=timezone.now(),
    )
    return Status(201, version)


@router.get("/versions/{int:version_id}", response={200: VersionOut, **ERRORS})
def version_get(
    request: HttpRequest, version_id: int, query: Query[LifecycleQuery]
) -> ProductVersion:
    request.lifecycle_on = query.on  # type: ignore[attr-defined]
    return ProductVersion.objects.select_related("product").get(pk=version_id)


@router.patch("/versions/{int:version_id}", response={200: VersionOut, **ERRORS})
def version_update(request: HttpRequest, version_id: int, payload: VersionPatch) -> ProductVersion:
    return services.product_version_update(
        actor=_user(request),
        version=ProductVersion.objects.get(pk=version_id),
        changes=payload.model_dump(exclude_unset=True),
        at=timezone.now(),
    )


@router.delete("/versions/{int:version_id}", response={204: None, **ERRORS})
def version_delete(request: HttpRequest, version_id: int) -> Status[Any]:
    services.product_version_delete(
        actor=_user(request), version=ProductVersion.objects.get(pk=version_id), at=timezone.now()
    )
    return Status(204, None)


# --- licenses --------------------------------------------------------------------------------


class LineSchema(Schema):
    count: int = Field(ge=1, description="sockets or instances")
    production: bool = True
    level: Level = Field(description="the support level the line is covered at (R-7)")


class LicenseOut(Schema):
    id: int
    organization: int
    organization_name: str
    product: str = Field(description="the product's code")
    license_type: str
    valid_from: date | None
    valid_until: date | None
    maintenance_from: date | None
    maintenance_until: date | None
    lines: list[LineSchema]
    support_ids: list[str] = Field(description="the license's Support IDs in force")
    created_at: datetime

    @staticmethod
    def resolve_organization(obj: License) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_organization_name(obj: License) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_product(obj: License) -> str:
        return obj.product.code

    @staticmethod
    def resolve_lines(obj: License) -> list[dict[str, Any]]:
        return [
            {"count": line.count, "production": line.production, "level": line.level}
            for line in obj.lines.all()
        ]

    @staticmethod
    def resolve_support_ids(obj: License) -> list[str]:
        return [sid.code for sid in obj.support_ids.all() if sid.revoked_at is None]


class LicenseIn(Schema):
    product: str = Field(description="the product's code")
    license_type: LicenseTypeKey
    valid_from: date | None = None
    valid_until: date | None = Field(None, description="inclusive")
    maintenance_from: date | None = None
    maintenance_until: date | None = Field(None, description="inclusive")
    lines: list[LineSchema] = []
    support_id: str | None = Field(None, description="empty: a new one is made")


class LicensePatch(Schema):
    license_type: LicenseTypeKey | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    maintenance_from: date | None = None
    maintenance_until: date | None = None
    lines: list[LineSchema] | None = Field(None, description="replaces every line")


class LicenseFilter(Schema):
    organization: int | None = None
    product: str | None = Field(None, description="a product code")


def _licenses(queryset: QuerySet[License]) -> QuerySet[License]:
    return queryset.select_related("organization", "product").prefetch_related(
        Prefetch("lines", queryset=LicenseLine.objects.order_by("pk")),
        Prefetch("support_ids", queryset=SupportId.objects.order_by("created_at", "pk")),
    )


def _socket_lines(lines: list[LineSchema]) -> tuple[SocketLine, ...]:
    return tuple(SocketLine(line.count, line.production, line.level) for line in lines)


@router.get("/licenses", response=list[LicenseOut], summary="Licenses you can see")
@paginate(Pages, page_size=PAGE_SIZE)
def license_list(request: HttpRequest, filters: Query[LicenseFilter]) -> QuerySet[License]:
    found = permissions.licenses_visible_to(_user(request), at=timezone.now())
    if filters.organization is not None:
        found = found.filter(organization_id=filters.organization)
    if filters.product:
        found = found.filter(product__code=filters.product)
    return _licenses(found).order_by("organization__name", "product__name", "pk")


@router.post(
    "/organizations/{int:org_id}/licenses",
    response={201: LicenseOut, **ERRORS},
    summary="Issue a license with its Support ID (staff)",
)
def license_create(request: HttpRequest, org_id: int, payload: LicenseIn) -> Status[Any]:
    at = timezone.now()
    organization = Organization.objects.get(pk=org_id)
    permissions.require(_user(request), permissions.Action.LICENSE_CREATE, organization, at=at)
    product = Product.objects.filter(code=payload.product).first()
    if product is None:
        raise ValidationError({"product": [f"No product with the code {payload.product!r}."]})
    license = services.license_create(
        actor=_user(request),
        organization=organization,
        product=product,
        license_type=payload.license_type,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        maintenance_from=payload.maintenance_from,
        maintenance_until=payload.maintenance_until,
        lines=_socket_lines(payload.lines),
        support_id=payload.support_id,
        at=at,
    )
    return Status(201, _licenses(License.objects.filter(pk=license.pk)).get())


@router.get("/licenses/{int:license_id}", response={200: LicenseOut, **ERRORS})
def license_get(request: HttpRequest, license_id: int) -> License:
    visible = permissions.licenses_visible_to(_user(request), at=timezone.now())
    return _licenses(visible).get(pk=license_id)


@router.patch("/licenses/{int:license_id}", response={200: LicenseOut, **ERRORS})
def license_update(request: HttpRequest, license_id: int, payload: LicensePatch) -> License:
    changes = payload.model_dump(exclude_unset=True)
    changes.pop("lines", None)
    license = services.license_update(
        actor=_user(request),
        license=License.objects.get(pk=license_id),
        changes=changes,
        lines=_socket_lines(payload.lines) if payload.lines is not None else None,
        at=timezone.now(),
    )
    return _licenses(License.objects.filter(pk=license.pk)).get()


@router.delete("/licenses/{int:license_id}", response={204: None, **ERRORS})
def license_delete(request: HttpRequest, license_id: int) -> Status[Any]:
    services.license_delete(
        actor=_user(request), license=License.objects.get(pk=license_id), at=timezone.now()
    )
    return Status(204, None)


# --- Support IDs (R-2) -----------------------------------------------------------------------


class SupportIdOut(Schema):
    code: str
    license: int
    organization: int
    product: str
    created_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_license(obj: SupportId) -> int:
        return obj.license_id

    @staticmethod
    def resolve_organization(obj: SupportId) -> int:
        return obj.license.organization_id

    @staticmethod
    def resolve_product(obj: SupportId) -> str:
        return obj.license.product.code


class SupportIdIn(Schema):
    code: str | None = Field(None, description="empty: a new random one")


class SupportIdFilter(Schema):
    license: int | None = None
    revoked: bool | None = None


@router.get("/support-ids", response=list[SupportIdOut], summary="Support IDs you can see")
@paginate(Pages, page_size=PAGE_SIZE)
def support_id_list(request: HttpRequest, filters: Query[SupportIdFilter]) -> QuerySet[SupportId]:
    found = permissions.support_ids_visible_to(_user(request), at=timezone.now())
    if filters.license is not None:
        found = found.filter(license_id=filters.license)
    if filters.revoked is not None:
        found = found.filter(revoked_at__isnull=not filters.revoked)
    return found.select_related("license__product").order_by("created_at", "pk")


@router.post(
    "/licenses/{int:license_id}/support-ids",
    response={201: SupportIdOut, **ERRORS},
    summary="Another Support ID for a license (staff)",
)
def support_id_create(
    request: HttpRequest, license_id: int, payload: SupportIdIn | None = None
) -> Status[Any]:
    sid = services.support_id_create(
        actor=_user(request),
        license=License.objects.get(pk=license_id),
        code=payload.code if payload else None,
        at=timezone.now(),
    )
    return Status(201, sid)


def _visible_support_id(request: HttpRequest, code: str, at: datetime) -> SupportId:
    return support_id_get(code, within=permissions.support_ids_visible_to(_user(request), at=at))


@router.get("/support-ids/{code}", response={200: SupportIdOut, **ERRORS})
def support_id_detail(request: HttpRequest, code: str) -> SupportId:
    return _visible_support_id(request, code, timezone.now())


@router.delete(
    "/support-ids/{code}",
    response={204: None, **ERRORS},
    summary="Revoke a Support ID (staff); it stays on record and is never reused",
)
def support_id_revoke(request: HttpRequest, code: str) -> Status[Any]:
    services.support_id_revoke(
        actor=_user(request), support_id=support_id_get(code), at=timezone.now()
    )
    return Status(204, None)


# --- entitlements ----------------------------------------------------------------------------


class EntitlementQuery(Schema):
    version: str | None = Field(None, description="a version of the license's product, such as 12")
    at: Instant | None = Field(None, description="ISO 8601 with an offset; default: now")


class EntitlementOrganization(Schema):
    id: int
    name: str
    country: str
    subdivision: str | None
    time_zone: str
    region: str


class EntitlementLicense(Schema):
    id: int
    license_type: str
    valid_from: date | None
    valid_until: date | None
    maintenance_from: date | None
    maintenance_until: date | None
    lines: list[LineSchema]


class EntitlementProduct(Schema):
    code: str
    name: str
    is_flagship: bool


class EntitlementVersion(Schema):
    version: str
    ga: date | None
    end_of_fix: date | None
    end_of_support: date | None
    end_of_sale: date | None


class EntitlementLanguages(Schema):
    languages: list[str]
    region: str
    in_language_hours: bool
    reasons: list[str]


class EntitlementPdm(Schema):
    username: str
    name: str | None


class EntitlementOut(Schema):
    support_id: str
    at: datetime
    on: date = Field(description="the customer's local date at `at`")
    organization: EntitlementOrganization
    license: EntitlementLicense
    product: EntitlementProduct
    version: EntitlementVersion | None
    program: str | None = Field(description="premium, production, basic, trial, free or null")
    license_active: bool
    maintenance_active: bool
    hotfix_access: bool
    phone: bool
    lifecycle: str | None
    technical_case_allowed: bool
    licensing_case_allowed: bool
    offers: list[str] = Field(description="such as renew_maintenance, upgrade")
    reasons: list[str]
    program_label: str | None
    hours: str | None
    targets: dict[str, int | None] | None = Field(
        description="first-response target in minutes per severity; null: no target (R-16)"
    )
    dedicated_pdm: bool
    pdm: EntitlementPdm | None
    languages: EntitlementLanguages
    policy_version: str


@router.get(
    "/entitlements/{support_id}",
    response={200: EntitlementOut, **ERRORS},
    summary="What a Support ID entitles its customer to (R-2, R-5 to R-10, R-20, R-36)",
    url_name="entitlement",
)
def entitlement(
    request: HttpRequest, support_id: str, query: Query[EntitlementQuery]
) -> dict[str, Any]:
    """The program, whether the license and its maintenance are in force, hotfix access,
    phone, the version's lifecycle, which cases may be opened, offers, and why; with the
    program's hours and first-response targets (minutes per severity, null: no target), the
    languages first-line support speaks to the customer at `at`, and the PDM (R-10)."""
    now = timezone.now()
    # who may see it is judged now: `at` asks about another time, it grants no access
    visible = permissions.support_ids_visible_to(_user(request), at=now)
    answer = entitlement_for(
        support_id=support_id, version=query.version, at=query.at or now, within=visible
    )
    return answer.to_dict()


# --- license update requests (R-3) -------------------------------------------------------------


class UpdateRequestOut(Schema):
    id: int
    license: int
    organization: int
    product: str
    requested_by: str | None
    note: str
    created_at: datetime
    state: Literal["open", "fulfilled", "declined"]
    decided_at: datetime | None
    answer: str

    @staticmethod
    def resolve_license(obj: LicenseUpdateRequest) -> int:
        return obj.license_id

    @staticmethod
    def resolve_organization(obj: LicenseUpdateRequest) -> int:
        return obj.license.organization_id

    @staticmethod
    def resolve_product(obj: LicenseUpdateRequest) -> str:
        return obj.license.product.code

    @staticmethod
    def resolve_requested_by(obj: LicenseUpdateRequest) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by else None


class UpdateRequestIn(Schema):
    note: str = Field("", max_length=2000)


class UpdateDecisionIn(Schema):
    answer: str = Field("", max_length=2000)


class UpdateRequestFilter(Schema):
    state: Literal["open", "fulfilled", "declined"] | None = None
    license: int | None = None


def _update_requests(request: HttpRequest) -> QuerySet[LicenseUpdateRequest]:
    visible = permissions.licenses_visible_to(_user(request), at=timezone.now())
    return LicenseUpdateRequest.objects.filter(license__in=visible).select_related(
        "license__product", "requested_by"
    )


@router.post(
    "/licenses/{int:license_id}/update-requests",
    response={200: UpdateRequestOut, 201: UpdateRequestOut, **ERRORS},
    summary="Ask for an updated license with one click (R-3)",
    description=(
        "For the organization's license and case administrators and delegated partners. The "
        "license desk is mailed and the asker gets a confirmation (201). While a request is "
        "open, asking again answers it (200) and makes no other."
    ),
)
def update_request_create(
    request: HttpRequest, license_id: int, payload: UpdateRequestIn
) -> Status[Any]:
    at = timezone.now()
    license = (
        permissions.licenses_visible_to(_user(request), at=at)
        .select_related("organization", "product")
        .get(pk=license_id)
    )
    made, created = services.license_update_request(
        actor=_user(request), license=license, note=payload.note, at=at
    )
    return Status(201 if created else 200, made)


@router.get(
    "/license-update-requests",
    response=list[UpdateRequestOut],
    summary="License update requests of the licenses you see (staff: all)",
)
@paginate(Pages, page_size=PAGE_SIZE)
def update_request_list(
    request: HttpRequest, filters: Query[UpdateRequestFilter]
) -> QuerySet[LicenseUpdateRequest]:
    found = _update_requests(request)
    if filters.state is not None:
        found = found.filter(state=filters.state)
    if filters.license is not None:
        found = found.filter(license_id=filters.license)
    return found.order_by("-created_at", "-pk")


@router.get(
    "/license-update-requests/{int:update_request_id}",
    response={200: UpdateRequestOut, **ERRORS},
)
def update_request_get(request: HttpRequest, update_request_id: int) -> LicenseUpdateRequest:
    return _update_requests(request).get(pk=update_request_id)


def _decide(request: HttpRequest, update_request_id: int, fulfilled: bool, answer: str) -> Any:
    return services.license_update_decide(
        actor=_user(request),
        request=_update_requests(request).get(pk=update_request_id),
        fulfilled=fulfilled,
        answer=answer,
        at=timezone.now(),
    )


@router.post(
    "/license-update-requests/{int:update_request_id}/fulfil",
    response={200: UpdateRequestOut, **ERRORS},
    summary="The updated license is sent (the license desk, staff)",
)
def update_request_fulfil(
    request: HttpRequest, update_request_id: int, payload: UpdateDecisionIn
) -> LicenseUpdateRequest:
    made: LicenseUpdateRequest = _decide(request, update_request_id, True, payload.answer)
    return made


@router.post(
    "/license-update-requests/{int:update_request_id}/decline",
    response={200: UpdateRequestOut, **ERRORS},
    summary="Decline a license update, saying why (the license desk, staff)",
)
def update_request_decline(
    request: HttpRequest, update_request_id: int, payload: UpdateDecisionIn
) -> LicenseUpdateRequest:
    made: LicenseUpdateRequest = _decide(request, update_request_id, False, payload.answer)
    return made
