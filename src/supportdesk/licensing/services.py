"""Every write of the licensing app: keyword-only, atomic, checked by
:func:`supportdesk.accounts.permissions.require`, and recorded in the audit trail.

Products, versions, licenses and Support IDs are issued by the vendor's staff (or by an
operator's import, ``actor=None``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import Action, Actor, require
from supportdesk.audit.services import (
    audit_event_record,
    audited_delete,
    created,
    diff,
    refuse_unknown,
    snapshot,
)
from supportdesk.errors import Conflict
from supportdesk.licensing import support_ids
from supportdesk.licensing.models import (
    License,
    LicenseLine,
    LicenseUpdateRequest,
    Product,
    ProductVersion,
    SupportId,
)
from supportdesk.policy.entitlement import SocketLine

PRODUCT_FIELDS = ("code", "name", "is_flagship")
VERSION_FIELDS = ("product", "version", "ga", "end_of_fix", "end_of_support", "end_of_sale")
LICENSE_FIELDS = (
    "organization",
    "product",
    "license_type",
    "valid_from",
    "valid_until",
    "maintenance_from",
    "maintenance_until",
)
_LICENSE_CHANGEABLE = frozenset(LICENSE_FIELDS) - {"organization", "product"}


def _actor(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


_DATE_ORDER = {
    # field: (the field it may not come before, the message)
    "valid_until": ("valid_from", "The license ends on or after the day it starts."),
    "maintenance_until": ("maintenance_from", "Maintenance ends on or after the day it starts."),
    "end_of_fix": ("ga", "End of Fix comes on or after GA."),
    "end_of_support": ("end_of_fix", "End of Support comes on or after End of Fix."),
}


def _check_dates(instance: License | ProductVersion) -> None:
    """The constraints' date order, as field errors (the database checks it again)."""
    problems: dict[str, list[str]] = {}
    for later, (earlier, message) in _DATE_ORDER.items():
        first, last = getattr(instance, earlier, None), getattr(instance, later, None)
        if first is not None and last is not None and last < first:
            problems[later] = [message]
    if isinstance(instance, ProductVersion) and "end_of_support" not in problems:
        ga, eos = instance.ga, instance.end_of_support
        if ga is not None and eos is not None and eos < ga:
            problems["end_of_support"] = ["End of Support comes on or after GA."]
    if problems:
        raise ValidationError(problems)


# --- products and versions -------------------------------------------------------------------


@transaction.atomic
def product_create(
    *, actor: Actor, code: str, name: str, is_flagship: bool = False, at: datetime
) -> Product:
    require(actor, Action.PRODUCT_CREATE, None, at=at)
    product = Product(code=code.strip(), name=name.strip(), is_flagship=is_flagship)
    product.full_clean()
    product.save()
    audit_event_record(
        actor=_actor(actor),
        action="product.create",
        target=product,
        changes=created(snapshot(product, PRODUCT_FIELDS)),
        at=at,
    )
    return product


@transaction.atomic
def product_update(
    *, actor: Actor, product: Product, changes: Mapping[str, Any], at: datetime
) -> Product:
    require(actor, Action.PRODUCT_UPDATE, product, at=at)
    refuse_unknown(changes, PRODUCT_FIELDS)
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = snapshot(product, PRODUCT_FIELDS)
    for name, value in changes.items():
        setattr(product, name, value.strip() if isinstance(value, str) else value)
    product.full_clean()
    if changes:
        product.save(update_fields=list(changes))
    audit_event_record(
        actor=_actor(actor),
        action="product.update",
        target=product,
        changes=diff(before, snapshot(product, PRODUCT_FIELDS)),
        at=at,
    )
    return product


@transaction.atomic
def product_delete(*, actor: Actor, product: Product, at: datetime) -> None:
    """Delete a product with its versions; refused while licenses of it exist."""
    require(actor, Action.PRODUCT_DELETE, product, at=at)
    before = snapshot(product, PRODUCT_FIELDS)
    audited_delete(
        actor=_actor(actor),
        instance=product,
        before=before,
        action="product.delete",
        at=at,
        protected=f"Licenses of {product} exist: delete them first.",
    )


@transaction.atomic
def product_version_create(
    *,
    actor: Actor,
    product: Product,
    version: str,
    ga: date | None = None,
    end_of_fix: date | None = None,
    end_of_support: date | None = None,
    end_of_sale: date | None = None,
    at: datetime,
) -> ProductVersion:
    """A version of a product with its lifecycle dates (R-36)."""
    require(actor, Action.VERSION_CREATE, product, at=at)
    row = ProductVersion(
        product=product,
        version=version.strip(),
        ga=ga,
        end_of_fix=end_of_fix,
        end_of_support=end_of_support,
        end_of_sale=end_of_sale,
    )
    _check_dates(row)
    row.full_clean()
    row.save()
    audit_event_record(
        actor=_actor(actor),
        action="version.create",
        target=row,
        changes=created(snapshot(row, VERSION_FIELDS)),
        at=at,
    )
    return row


@transaction.atomic
def product_version_update(
    *, actor: Actor, version: ProductVersion, changes: Mapping[str, Any], at: datetime
) -> ProductVersion:
    require(actor, Action.VERSION_UPDATE, version, at=at)
    refuse_unknown(changes, VERSION_FIELDS[1:])
    version = ProductVersion.objects.select_for_update().get(pk=version.pk)
    before = snapshot(version, VERSION_FIELDS)
    for name, value in changes.items():
        setattr(version, name, value.strip() if isinstance(value, str) else value)
    _check_dates(version)
    version.full_clean()
    if changes:
        version.save(update_fields=list(changes))
    audit_event_record(
        actor=_actor(actor),
        action="version.update",
        target=version,
        changes=diff(before, snapshot(version, VERSION_FIELDS)),
        at=at,
    )
    return version


@transaction.atomic
def product_version_delete(*, actor: Actor, version: ProductVersion, at: datetime) -> None:
    require(actor, Action.VERSION_DELETE, version, at=at)
    before = snapshot(version, VERSION_FIELDS)
    audited_delete(
        actor=_actor(actor), instance=version, before=before, action="version.delete", at=at
    )


# --- licenses --------------------------------------------------------------------------------


def _lines_value(lines: Sequence[SocketLine]) -> list[list[Any]]:
    return [[line.count, line.production, line.level] for line in lines]


def _license_snapshot(license: License) -> dict[str, Any]:
    out = snapshot(license, LICENSE_FIELDS)
    out["lines"] = _lines_value([line.facts() for line in license.lines.all()])
    return out


def _build_lines(license: License, lines: Sequence[SocketLine]) -> list[LicenseLine]:
    rows = [
        LicenseLine(license=license, count=line.count, production=line.production, level=line.level)
        for line in lines
    ]
    problems: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        try:
            row.full_clean(exclude=["license"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problems.setdefault(f"lines.{i}.{name}", []).extend(messages)
    if problems:
        raise ValidationError(problems)
    return rows


@transaction.atomic
def license_create(
    *,
    actor: Actor,
    organization: Organization,
    product: Product,
    license_type: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
    maintenance_from: date | None = None,
    maintenance_until: date | None = None,
    lines: Sequence[SocketLine] = (),
    support_id: str | None = None,
    at: datetime,
) -> License:
    """A license with its socket/instance lines and its Support ID (``support_id`` when
    given, else a new one)."""
    require(actor, Action.LICENSE_CREATE, organization, at=at)
    license = License(
        organization=organization,
        product=product,
        license_type=license_type,
        valid_from=valid_from,
        valid_until=valid_until,
        maintenance_from=maintenance_from,
        maintenance_until=maintenance_until,
        created_at=at,
    )
    _check_dates(license)
    license.full_clean()
    rows = _build_lines(license, lines)
    license.save()
    for row in rows:
        row.license = license
    LicenseLine.objects.bulk_create(rows)
    sid = _new_support_id(license, support_id, at=at)
    changes = created(_license_snapshot(license))
    changes["support_id"] = [None, sid.code]
    audit_event_record(
        actor=_actor(actor), action="license.create", target=license, changes=changes, at=at
    )
    return license


@transaction.atomic
def license_update(
    *,
    actor: Actor,
    license: License,
    changes: Mapping[str, Any],
    lines: Sequence[SocketLine] | None = None,
    at: datetime,
) -> License:
    """Change dates or type, and replace the lines when ``lines`` is given."""
    require(actor, Action.LICENSE_UPDATE, license, at=at)
    refuse_unknown(changes, _LICENSE_CHANGEABLE)
    license = License.objects.select_for_update().get(pk=license.pk)
    before = _license_snapshot(license)
    for name, value in changes.items():
        setattr(license, name, value)
    _check_dates(license)
    license.full_clean()
    if changes:
        license.save(update_fields=list(changes))
    if lines is not None:
        rows = _build_lines(license, lines)
        license.lines.all().delete()
        LicenseLine.objects.bulk_create(rows)
    audit_event_record(
        actor=_actor(actor),
        action="license.update",
        target=license,
        changes=diff(before, _license_snapshot(license)),
        at=at,
    )
    return license


@transaction.atomic
def license_delete(*, actor: Actor, license: License, at: datetime) -> None:
    """Delete a license with its lines and Support IDs."""
    require(actor, Action.LICENSE_DELETE, license, at=at)
    before = _license_snapshot(license)
    before["support_ids"] = list(license.support_ids.values_list("code", flat=True))
    audited_delete(
        actor=_actor(actor),
        instance=license,
        before=before,
        action="license.delete",
        at=at,
        protected=f"{license} is in use: it cannot be deleted.",
    )


# --- Support IDs (R-2) -----------------------------------------------------------------------


def _new_support_id(license: License, code: str | None, *, at: datetime) -> SupportId:
    if code is not None:
        canonical = support_ids.normalise(code)
        if canonical is None:
            raise ValidationError(
                {"support_id": [f"{code!r} is not a Support ID (SID-XXXX-XXXX-XXXX)."]}
            )
        if SupportId.objects.filter(code=canonical).exists():
            raise ValidationError({"support_id": [f"{canonical} is already in use."]})
        return SupportId.objects.create(code=canonical, license=license, created_at=at)
    for _ in range(5):  # 60 random bits: a clash is next to impossible, but never fatal
        try:
            with transaction.atomic():
                return SupportId.objects.create(
                    code=support_ids.generate(), license=license, created_at=at
                )
        except IntegrityError:
            continue
    raise Conflict("Could not find an unused Support ID; try again.")  # pragma: no cover


@transaction.atomic
def support_id_create(
    *, actor: Actor, license: License, code: str | None = None, at: datetime
) -> SupportId:
    """Another Support ID for a license (a new one when ``code`` is not given)."""
    require(actor, Action.SUPPORT_ID_CREATE, license, at=at)
    sid = _new_support_id(license, code, at=at)
    audit_event_record(
        actor=_actor(actor),
        action="support_id.create",
        target=sid,
        changes={"code": [None, sid.code], "license": [None, license.pk]},
        at=at,
    )
    return sid


@transaction.atomic
def support_id_revoke(*, actor: Actor, support_id: SupportId, at: datetime) -> SupportId:
    """Revoke a Support ID: it no longer opens cases, and its code is never given again."""
    require(actor, Action.SUPPORT_ID_REVOKE, support_id, at=at)
    support_id = SupportId.objects.select_for_update().get(pk=support_id.pk)
    if support_id.revoked_at is None:
        support_id.revoked_at = at
        support_id.save(update_fields=["revoked_at"])
        audit_event_record(
            actor=_actor(actor),
            action="support_id.revoke",
            target=support_id,
            changes={"revoked_at": [None, at]},
            at=at,
        )
    return support_id


# --- license update requests (R-3) -------------------------------------------------------------

REQUESTERS = (
    "License updates are asked for by the organization's license or case administrators, or a "
    "partner delegated to it (R-3)."
)


def _request_snapshot(request: LicenseUpdateRequest) -> dict[str, Any]:
    return snapshot(request, ("license", "note", "state", "decided_at", "answer"))


def _mail_requester(request: LicenseUpdateRequest, template: str, at: datetime) -> None:
    from supportdesk.notifications.services import mail_queue

    person = request.requested_by
    if person is None or not person.email:
        return
    license = request.license
    mail_queue(
        to=person.email,
        to_name=person.get_full_name(),
        template=template,
        context={
            "organization": license.organization.name,
            "product": license.product.name,
            "license": license.pk,
            "note": request.note,
            "answer": request.answer,
            "state": request.state,
        },
        language=person.language or license.organization.language or "en",
        at=at,
    )


def license_update_request(
    *, actor: Actor, license: License, note: str = "", at: datetime
) -> tuple[LicenseUpdateRequest, bool]:
    """Ask for an updated license (R-3): the license desk is told and the asker gets a
    confirmation. One click is enough, and a second finds the open request (returned with
    ``False``) instead of making another, also when two arrive at once."""
    from django.conf import settings

    from supportdesk.accounts.permissions import can_open_cases, licenses_visible_to
    from supportdesk.notifications.services import mail_queue, recipient_language

    if not licenses_visible_to(actor, at=at).filter(pk=license.pk).exists():
        raise License.DoesNotExist("No such license.")
    if not can_open_cases(actor, license.organization, at=at):
        raise PermissionDenied(REQUESTERS)
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": ["At most 2,000 characters."]})
    asker = _actor(actor)
    open_one = LicenseUpdateRequest.objects.filter(license=license, state="open").first()
    if open_one is not None:
        return open_one, False
    try:
        with transaction.atomic():
            request = LicenseUpdateRequest.objects.create(
                license=license, requested_by=asker, note=note, created_at=at
            )
            desk = str(getattr(settings, "SUPPORTDESK_LICENSE_DESK_EMAIL", "") or "")
            context = {
                "organization": license.organization.name,
                "product": license.product.name,
                "license": license.pk,
                "license_type": license.get_license_type_display(),
                "requested_by": asker.get_username() if asker else "",
                "note": note,
                "request": request.pk,
            }
            if desk:
                language = recipient_language(
                    desk, default=str(getattr(settings, "SUPPORTDESK_LICENSE_DESK_LANGUAGE", "en"))
                )
                mail_queue(
                    to=desk,
                    template="license_update_desk",
                    context=context,
                    language=language,
                    at=at,
                )
            _mail_requester(request, "license_update_requested", at)
            audit_event_record(
                actor=asker,
                action="license_update.request",
                target=request,
                changes=created(_request_snapshot(request)),
                at=at,
            )
    except IntegrityError:  # another click made it first
        return LicenseUpdateRequest.objects.get(license=license, state="open"), False
    return request, True


@transaction.atomic
def license_update_decide(
    *,
    actor: Actor,
    request: LicenseUpdateRequest,
    fulfilled: bool,
    answer: str,
    at: datetime,
) -> LicenseUpdateRequest:
    """The license desk (staff) sends the update or declines, saying why; the asker is told."""
    from supportdesk.accounts.permissions import is_staff

    if actor is not None and not is_staff(actor):
        raise PermissionDenied("The vendor's license desk decides license update requests.")
    request = (
        LicenseUpdateRequest.objects.select_for_update(of=("self",))
        .select_related("license__organization", "license__product", "requested_by")
        .get(pk=request.pk)
    )
    if request.state != "open":
        raise Conflict(f"The request is {request.get_state_display().lower()} already.")
    answer = (answer or "").strip()
    if len(answer) > 2000:
        raise ValidationError({"answer": ["At most 2,000 characters."]})
    if not fulfilled and not answer:
        raise ValidationError({"answer": ["Say why the update is declined."]})
    before = _request_snapshot(request)
    request.state = "fulfilled" if fulfilled else "declined"
    request.decided_at, request.decided_by, request.answer = at, _actor(actor), answer
    request.save(update_fields=["state", "decided_at", "decided_by", "answer"])
    _mail_requester(request, "license_update_decided", at)
    audit_event_record(
        actor=_actor(actor),
        action="license_update.fulfil" if fulfilled else "license_update.decline",
        target=request,
        changes=diff(before, _request_snapshot(request)),
        at=at,
    )
    return request
