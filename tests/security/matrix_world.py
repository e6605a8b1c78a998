"""The scenario of the generated authorization matrix (``test_matrix``): two organizations
with one object of each kind each, the people of every role, and the values a route's path
parameters take, by parameter name.

Each organization's objects carry words of their own (``Scope.markers``): a response that
shows one of another organization's words to a caller who may not see that organization has
leaked it, whatever its status. The own organization's internal comment carries a word no
customer may ever read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import Organization, User
from supportdesk.attachments.storage import LocalStorage
from supportdesk.surveys.services import token_digest
from tests.accounts.factories import (
    ApiTokenFactory,
    DelegationFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PasswordResetFactory,
    PdmFactory,
    PersonFactory,
    StaffFactory,
)
from tests.attachments.factories import AttachmentFactory, UploadFactory
from tests.cases.factories import (
    CaseFactory,
    CommentFactory,
    DiagnosticsRequestFactory,
    ManagerRequestFactory,
    MilestoneFactory,
    ResolutionFactory,
)
from tests.downloads.factories import ReleaseFactory
from tests.knowledge.factories import (
    ArticleFactory,
    CategoryFactory,
    DeflectionFactory,
    SuggestionShownFactory,
)
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    LicenseUpdateRequestFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)
from tests.routing.factories import EngineerProfileFactory, QueueFactory
from tests.surveys.factories import SurveyFactory

#: every role of the matrix, in the grid's column order
ROLES = (
    "anonymous",
    "member",  # a plain member of the own organization
    "case_admin",  # its case administrator
    "license_admin",  # its license administrator
    "partner_active",  # a partner's license administrator, delegated to by it now
    "partner_ended",  # ... of a partner whose delegation ended yesterday
    "partner_none",  # ... of a partner it never delegated to
    "engineer",  # a support engineer in the own case's queue only
    "pdm",  # the own organization's PDM
    "manager",  # a support manager
)
CUSTOMERS = (
    "member",
    "case_admin",
    "license_admin",
    "partner_active",
    "partner_ended",
    "partner_none",
)
STAFF = ("engineer", "pdm", "manager")
BYTES = b"2026-06-01 09:00:00 INFO ready\n"


@dataclass
class Scope:
    """One organization and one object of each kind that belongs to it."""

    name: str
    org: Organization
    values: dict[str, Any]  # path parameter and body placeholder -> value
    markers: tuple[str, ...]  # words only this organization's objects carry
    internal: str  # the body of its case's internal comment


@dataclass
class World:
    users: dict[str, User | None]
    tokens: dict[str, str]  # role -> API token
    sessions: dict[str, str]  # role -> session key
    scopes: dict[str, Scope]
    shared: dict[str, Any]  # values of the objects no organization owns (catalogue, queues)
    storage_root: Path
    client_ips: dict[str, str] = field(default_factory=dict)


def _scope(
    name: str,
    *,
    product: Any,
    version: Any,
    queue: Any,
    third: Any,
    pdm: Any,
    storage: LocalStorage,
) -> Scope:
    word = name.capitalize()
    now = timezone.now()
    org = OrganizationFactory.create(name=f"{word}corp Ltd", pdm=pdm)
    MembershipFactory.create(organization=org, role="license_admin")  # it keeps one
    target = MembershipFactory.create(
        organization=org, role="member", user__username=f"{name}person"
    )
    creator = MembershipFactory.create(organization=org, role="case_admin").user
    delegation = DelegationFactory.create(
        customer=org, partner=third, starts_at=now - timedelta(days=1)
    )
    license = LicenseFactory.create(organization=org, product=product)
    LicenseLineFactory.create(license=license)
    support_id = SupportIdFactory.create(license=license)
    # a decided update request, so that asking again makes a new one
    update_request = LicenseUpdateRequestFactory.create(
        license=license, state="declined", decided_at=now, answer="Not yet renewed."
    )
    case = CaseFactory.create(
        organization=org,
        product=product,
        support_id=support_id,
        queue=queue,
        subject=f"{word}subject",
        contact_email=f"{name}@example.com",
        first_response_due_at=now + timedelta(hours=2),
    )
    CommentFactory.create(case=case, body=f"{word}public")
    internal = f"{word}internal"
    CommentFactory.create(case=case, body=internal, internal=True)
    attachment = AttachmentFactory.create(
        case=case,
        filename=f"{name}file.log",
        size=len(BYTES),
        sha256=hashlib.sha256(BYTES).hexdigest(),
    )
    path = storage.root / "objects" / attachment.storage_key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BYTES)
    upload = UploadFactory.create(
        case=case, created_by=creator, filename=f"{name}upload.log", file_type=".log", length=100
    )
    storage.create(upload.storage_key)
    milestone = MilestoneFactory.create(resolution=ResolutionFactory.create(case=case))
    manager_request = ManagerRequestFactory.create(case=case, reason=f"{word}reason")
    diagnostics = DiagnosticsRequestFactory.create(case=case, what=f"{word}what")
    closed = CaseFactory.create(
        organization=org,
        product=product,
        support_id=support_id,
        status="closed",
        subject=f"{word}closed",
        contact_email=f"{name}@example.com",
    )
    survey_token = f"{name}-survey-token"
    SurveyFactory.create(
        case=closed,
        token_digest=token_digest(survey_token),
        recipient_email=f"{name}@example.com",
        created_at=now,
        expires_at=now + timedelta(days=30),
    )
    token = ApiTokenFactory.create(user=target.user, name=f"{word}script")
    reset_token = f"{name}-reset-token"
    PasswordResetFactory.create(
        user=target.user, token=reset_token, created_at=now, expires_at=now + timedelta(hours=1)
    )
    # an open invitation of the organization, to an address nobody in the matrix has
    invitation_token = f"{name}-invitation-token"
    invitation = InvitationFactory.create(
        organization=org,
        email=f"{name}-invitee@example.com",
        token=invitation_token,
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    return Scope(
        name=name,
        org=org,
        values={
            "org_id": org.pk,
            "membership_id": target.pk,
            "delegation_id": delegation.pk,
            "token_id": token.pk,
            "license_id": license.pk,
            "code": support_id.code,
            "support_id": support_id.code,
            "number": case.number,
            "upload_id": upload.pk,
            "attachment_id": attachment.pk,
            "milestone_id": milestone.pk,
            "manager_request_id": manager_request.pk,
            "diagnostics_id": diagnostics.pk,
            "token": survey_token,
            "uid": target.user.pk,  # a reset link's: the person of the membership
            "reset_token": reset_token,
            "invitation_id": invitation.pk,
            "update_request_id": update_request.pk,
            "invitation_token": invitation_token,
            "version": 1,  # of the case, for the writes that name the version they read
        },
        markers=(
            org.name,
            case.subject,
            f"{word}public",
            f"{name}person",
            f"{name}file.log",
            f"{name}upload.log",
            f"{word}reason",
            f"{word}what",
            support_id.code,
            case.number,
        ),
        internal=internal,
    )


def _partner(customer: Organization, *, starts: Any, ends: Any) -> User:
    partner = PartnerFactory.create()
    if starts is not None:
        DelegationFactory.create(customer=customer, partner=partner, starts_at=starts, ends_at=ends)
    return MembershipFactory.create(organization=partner, role="license_admin").user


def build(storage_root: Path) -> World:
    storage = LocalStorage(storage_root)
    now = timezone.now()
    day = timedelta(days=1)
    product = ProductFactory.create(code="VBR")
    version = ProductVersionFactory.create(product=product, version="12")
    spare = ProductFactory.create(code="SPARE")
    queue_a, queue_b = QueueFactory.create(code="a"), QueueFactory.create(code="b")
    QueueFactory.create(code="l2", tier="L2")  # where an escalation goes
    pdm = PdmFactory.create()
    third = PartnerFactory.create(name="Third")
    common: dict[str, Any] = {
        "product": product,
        "version": version,
        "third": third,
        "storage": storage,
    }
    scopes = {
        "own": _scope("own", queue=queue_a, pdm=pdm, **common),
        "other": _scope("other", queue=queue_b, pdm=None, **common),
    }
    own = scopes["own"].org
    engineer = EngineerProfileFactory.create(queues=[queue_a]).user
    users: dict[str, User | None] = {
        "anonymous": None,
        **{
            role: MembershipFactory.create(organization=own, role=role).user
            for role in ("member", "case_admin", "license_admin")
        },
        "partner_active": _partner(own, starts=now - day, ends=None),
        "partner_ended": _partner(own, starts=now - 30 * day, ends=now - day),
        "partner_none": _partner(own, starts=None, ends=None),
        "engineer": engineer,
        "pdm": pdm,
        "manager": StaffFactory.create(staff_role="support_manager"),
    }
    tokens, sessions = {}, {}
    for role, user in users.items():
        if user is None:
            continue
        tokens[role] = f"sdt_grid-{role}"
        ApiTokenFactory.create(user=user, secret=tokens[role])
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    for scope in scopes.values():  # a knowledge-base session of one of its members
        person = (
            MembershipFactory.create(organization=scope.org).user
            if scope.name == "other"
            else users["member"]
        )
        deflection = DeflectionFactory.create(user=person)
        scope.values["deflection_id"] = deflection.pk
    category = CategoryFactory.create(slug="howto")
    article = ArticleFactory.create(slug="restart", title="Restart it", category=category)
    for scope in scopes.values():
        SuggestionShownFactory.create(deflection_id=scope.values["deflection_id"], article=article)
    release = ReleaseFactory.create(version=version)
    shared = {
        "product_id": product.pk,
        "spare_product_id": spare.pk,
        "version_id": version.pk,
        "release_id": release.pk,
        "category_id": category.pk,
        "article_id": article.pk,
        "slug": article.slug,
        "username": engineer.username,
        "third_id": third.pk,
        "fresh_partner_id": PartnerFactory.create(name="Fresh").pk,
        "newbie": PersonFactory.create(username="newbie").username,
        "new_engineer": StaffFactory.create(username="newengineer").username,
    }
    return World(
        users=users,
        tokens=tokens,
        sessions=sessions,
        scopes=scopes,
        shared=shared,
        storage_root=storage_root,
    )
