"""The People page for license administrators (R-1): an organization's members and open
invitations; invite by e-mail, withdraw, change a role, remove; through the accounts
services, audited; the last license administrator stays; everyone else is refused, and
another organization's people are not found."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import Invitation, Membership, Organization, User
from supportdesk.audit.models import AuditEvent
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import (
    DelegationFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    StaffFactory,
    member,
)

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Prague (CET)
LATER = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def acme() -> Organization:
    return OrganizationFactory.create(name="Acme")


@pytest.fixture
def admin(acme: Organization) -> User:
    return member(
        acme,
        "license_admin",
        username="lena",
        first_name="Lena",
        last_name="Lind",
        time_zone="Europe/Prague",
        language="en",
    )


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _open_invitation(organization: Organization, email: str, **kwargs: Any) -> Invitation:
    return InvitationFactory.create(
        organization=organization,
        email=email,
        created_at=kwargs.pop("created_at", timezone.now() - timedelta(hours=1)),
        expires_at=kwargs.pop("expires_at", LATER),
        **kwargs,
    )


def _said(client: Client, response: Any) -> list[str]:
    """The messages the page a redirect leads to shows (and so uses up)."""
    page = client.get(response["Location"]).content.decode()
    return [html.unescape(m) for m in re.findall(r'<p class="message [^"]*">(.*?)</p>', page)]


def _state() -> tuple[list[tuple[int, int, str]], list[tuple[int, Any, Any]], int, int]:
    """What a refused request must leave as it was."""
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(Invitation.objects.order_by("pk").values_list("pk", "ended_at", "accepted_at")),
        OutboundMail.objects.count(),
        AuditEvent.objects.count(),
    )


# --- the list --------------------------------------------------------------------------------


def test_the_page_lists_members_and_open_invitations_in_the_viewer_s_time_zone(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    jana = member(acme, "case_admin", username="jana", first_name="Jana", last_name="Nováková")
    Membership.objects.filter(user=jana).update(created_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    _open_invitation(acme, "kim@example.com", invited_by=admin, created_at=SENT)
    _open_invitation(acme, "gone@example.com", ended_at=SENT + timedelta(hours=1))
    _open_invitation(acme, "late@example.com", created_at=SENT, expires_at=SENT + timedelta(1))
    _open_invitation(acme, "joined@example.com", accepted_at=SENT + timedelta(hours=1))
    theirs = OrganizationFactory.create(name="Theirs")
    member(theirs, "license_admin", username="stranger")
    _open_invitation(theirs, "their-invitee@example.com")

    response = admin_client.get("/people/")
    page = response.content.decode()

    assert response.status_code == 200
    assert f'<h2 id="organization-{acme.pk}-title">Acme</h2>' in page
    assert "<td>Jana Nováková</td>" in page
    assert "<td>jana</td>" in page
    assert "<td>jana@example.com</td>" in page
    assert "<td>Case administrator</td>" in page
    assert '<time datetime="2026-06-01T11:00:00+02:00">' in page  # member since, CEST
    assert "<td>kim@example.com</td>" in page
    assert "<td>Lena Lind</td>" in page  # invited by
    assert '<time datetime="2026-12-01T10:00:00+01:00">' in page  # sent, CET
    assert '<time datetime="2099-01-01T10:00:00+01:00">' in page  # expires
    assert "Withdraw the invitation to kim@example.com" in page
    for hidden in ("gone@", "late@", "joined@", "Theirs", "stranger", "their-invitee"):
        assert hidden not in page, hidden
    # one organization: nothing to choose
    assert f'<input type="hidden" name="organization" value="{acme.pk}"' in page
    assert '<select name="organization"' not in page


def test_the_page_is_in_czech_for_a_czech_reader(acme: Organization) -> None:
    client = Client()
    client.force_login(member(acme, "license_admin", username="petr", language="cs"))
    member(acme, "member", username="eva")

    page = client.get("/people/").content.decode()

    assert '<html lang="cs">' in page
    assert "<h1>Lidé</h1>" in page
    assert "<td>Správce licencí</td>" in page
    assert "<td>Člen</td>" in page
    assert "Pozvat osobu" in page
    assert "Members" not in page


def test_an_administrator_of_several_organizations_chooses_one(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    beta = OrganizationFactory.create(name="Beta")
    MembershipFactory.create(organization=beta, user=admin, role="license_admin")
    member(beta, "member", username="bert")

    page = admin_client.get("/people/").content.decode()

    assert '<select name="organization"' in page
    assert f'<option value="{acme.pk}">Acme</option>' in page
    assert f'<option value="{beta.pk}">Beta</option>' in page
    assert "<td>bert</td>" in page


def test_the_navigation_links_the_page_only_for_license_administrators(
    admin_client: Client, acme: Organization
) -> None:
    plain = Client()
    plain.force_login(member(acme, "case_admin"))

    assert 'href="/people/"' in admin_client.get("/").content.decode()
    assert 'href="/people/"' not in plain.get("/").content.decode()


# --- inviting --------------------------------------------------------------------------------


def test_an_invitation_is_mailed_and_the_answer_is_the_same_with_or_without_an_account(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    member(OrganizationFactory.create(), username="kim", email="kim@example.com")

    known = admin_client.post(
        "/people/invite/", {"organization": acme.pk, "email": " KIM@example.com", "role": "member"}
    )
    known_said = _said(admin_client, known)
    unknown = admin_client.post(
        "/people/invite/",
        {"organization": acme.pk, "email": "nobody@example.com", "role": "case_admin"},
    )
    unknown_said = _said(admin_client, unknown)

    assert (known.status_code, known["Location"]) == (302, "/people/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/people/")
    assert known_said == ["We sent an invitation to kim@example.com."]
    assert unknown_said == ["We sent an invitation to nobody@example.com."]
    mails = OutboundMail.objects.order_by("pk")
    assert [m.to_address for m in mails] == ["kim@example.com", "nobody@example.com"]
    assert all("/invite/" in m.body for m in mails)
    assert list(
        Invitation.objects.order_by("pk").values_list("organization", "email", "role", "invited_by")
    ) == [
        (acme.pk, "kim@example.com", "member", admin.pk),
        (acme.pk, "nobody@example.com", "case_admin", admin.pk),
    ]
    assert AuditEvent.objects.filter(action="invitation.create").count() == 2
    listed = admin_client.get("/people/").content.decode()
    assert "<td>nobody@example.com</td>" in listed


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not an address", "role": "member"}, "email"),
        ({"email": "", "role": "member"}, "email"),
        ({"email": "ok@example.com", "role": "owner"}, "role"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_sends_nothing(
    admin_client: Client, acme: Organization, data: dict[str, str], field: str
) -> None:
    before = _state()

    response = admin_client.post("/people/invite/", {"organization": acme.pk, **data})
    page = response.content.decode()

    assert response.status_code == 422
    assert f'id="id_{field}-error"' in page
    assert page.count('-error" role="alert"') == 1  # only that field
    assert _state() == before


def test_inviting_to_an_organization_one_does_not_administer_is_refused(
    admin_client: Client,
) -> None:
    theirs = OrganizationFactory.create(name="Theirs")
    before = _state()

    response = admin_client.post(
        "/people/invite/", {"organization": theirs.pk, "email": "x@example.com", "role": "member"}
    )

    assert response.status_code == 422
    assert "Theirs" not in response.content.decode()
    assert _state() == before


# --- withdrawing -----------------------------------------------------------------------------


def test_an_open_invitation_is_withdrawn_once(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    invitation = _open_invitation(acme, "kim@example.com")

    first = admin_client.post(f"/people/invitations/{invitation.pk}/withdraw/")
    first_said = _said(admin_client, first)
    invitation.refresh_from_db()
    ended_at = invitation.ended_at
    again = admin_client.post(f"/people/invitations/{invitation.pk}/withdraw/")
    again_said = _said(admin_client, again)
    invitation.refresh_from_db()

    assert (first.status_code, first["Location"]) == (302, "/people/")
    assert first_said == [
        "The invitation to kim@example.com is withdrawn: its link no longer works."
    ]
    assert ended_at is not None
    assert invitation.ended_by == admin
    assert (again.status_code, again["Location"]) == (302, "/people/")
    assert again_said == [
        "The invitation to kim@example.com is not open any more: it was accepted, withdrawn or "
        "replaced by a newer one, or it has expired."
    ]
    assert invitation.ended_at == ended_at
    assert AuditEvent.objects.filter(action="invitation.end").count() == 1
    assert "kim@example.com" not in admin_client.get("/people/").content.decode()


# --- roles and removal -----------------------------------------------------------------------


def test_a_member_s_role_changes(admin_client: Client, acme: Organization) -> None:
    jana = member(acme, "member", username="jana", first_name="Jana", last_name="Nováková")
    membership = Membership.objects.get(user=jana)

    response = admin_client.post(f"/people/members/{membership.pk}/role/", {"role": "case_admin"})
    said = _said(admin_client, response)
    membership.refresh_from_db()

    assert (response.status_code, response["Location"]) == (302, "/people/")
    assert said == ["Jana Nováková now has the role “Case administrator” in Acme."]
    assert membership.role == "case_admin"
    event = AuditEvent.objects.get(action="membership.update")
    assert event.changes == {"role": ["member", "case_admin"]}


def test_an_unknown_role_is_422_on_that_member_s_field(
    admin_client: Client, acme: Organization
) -> None:
    membership = MembershipFactory.create(organization=acme, role="member")
    before = _state()

    response = admin_client.post(f"/people/members/{membership.pk}/role/", {"role": "owner"})

    assert response.status_code == 422
    assert f'id="id_member{membership.pk}_role-error"' in response.content.decode()
    assert _state() == before


def test_a_member_is_removed(admin_client: Client, acme: Organization) -> None:
    membership = MembershipFactory.create(
        organization=acme, role="case_admin", user__username="jana"
    )

    response = admin_client.post(f"/people/members/{membership.pk}/remove/")
    said = _said(admin_client, response)

    assert (response.status_code, response["Location"]) == (302, "/people/")
    assert said == ["jana is no longer a member of Acme."]
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.delete").count() == 1


def test_the_last_license_administrator_is_neither_demoted_nor_removed(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    member(acme, "case_admin")
    mine = Membership.objects.get(user=admin)
    before = _state()

    demote = admin_client.post(f"/people/members/{mine.pk}/role/", {"role": "member"})
    remove = admin_client.post(f"/people/members/{mine.pk}/remove/")

    refusal = "lena is the last license administrator of Acme: appoint another one first."
    assert demote.status_code == 422
    assert refusal in demote.content.decode()
    assert remove.status_code == 422
    assert refusal in remove.content.decode()
    assert _state() == before
    # the page offers neither to the only license administrator, and says why
    page = admin_client.get("/people/").content.decode()
    assert f"/people/members/{mine.pk}/remove/" not in page
    assert f"/people/members/{mine.pk}/role/" not in page
    assert "only license administrator" in page
    second = member(acme, "license_admin")
    both = admin_client.get("/people/").content.decode()
    assert f"/people/members/{mine.pk}/remove/" in both
    assert f"/people/members/{Membership.objects.get(user=second).pk}/remove/" in both
    assert "only license administrator" not in both


def test_with_another_license_administrator_one_steps_down_and_leaves_the_page(
    admin_client: Client, acme: Organization, admin: User
) -> None:
    member(acme, "license_admin")
    mine = Membership.objects.get(user=admin)

    response = admin_client.post(f"/people/members/{mine.pk}/role/", {"role": "member"})
    mine.refresh_from_db()

    assert (response.status_code, response["Location"]) == (302, "/")
    assert mine.role == "member"
    assert admin_client.get("/people/").status_code == 403


# --- who is refused --------------------------------------------------------------------------


def _customer_member(org: Organization, role: str) -> User:
    return member(org, role)


def _staff(org: Organization) -> User:
    return StaffFactory.create()


def _delegated_partner_admin(org: Organization) -> User:
    partner = PartnerFactory.create(name="Helpers")
    DelegationFactory.create(customer=org, partner=partner, starts_at=timezone.now())
    return member(partner, "license_admin", username="helper")


def _other_admin(org: Organization) -> User:
    return member(OrganizationFactory.create(name="Elsewhere"), "license_admin")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda org: _customer_member(org, "member"), id="member"),
        pytest.param(lambda org: _customer_member(org, "case_admin"), id="technical-contact"),
        pytest.param(_staff, id="staff"),
    ],
)
def test_those_who_administer_no_organization_are_refused_and_change_nothing(
    acme: Organization, admin: User, make: Callable[[Organization], User]
) -> None:
    invitation = _open_invitation(acme, "kim@example.com")
    target = MembershipFactory.create(organization=acme, role="member", user__username="jana")
    client = Client()
    client.force_login(make(acme))
    before = _state()

    page = client.get("/people/")
    answers = [
        client.post("/people/invite/", {"organization": acme.pk, "email": "x@example.com"}),
        client.post(f"/people/invitations/{invitation.pk}/withdraw/"),
        client.post(f"/people/members/{target.pk}/role/", {"role": "license_admin"}),
        client.post(f"/people/members/{target.pk}/remove/"),
    ]

    assert page.status_code == 403
    assert "Only an organization's license administrators manage its people" in (
        page.content.decode()
    )
    assert "kim@example.com" not in page.content.decode()
    assert "jana" not in page.content.decode()
    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert _state() == before


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_delegated_partner_admin, id="partner"),
        pytest.param(_other_admin, id="another-organization-s-admin"),
    ],
)
def test_another_organization_s_people_are_not_found(
    acme: Organization, admin: User, make: Callable[[Organization], User]
) -> None:
    invitation = _open_invitation(acme, "kim@example.com")
    target = MembershipFactory.create(organization=acme, role="member", user__username="jana")
    client = Client()
    client.force_login(make(acme))
    before = _state()

    page = client.get("/people/")
    invite = client.post(
        "/people/invite/", {"organization": acme.pk, "email": "x@example.com", "role": "member"}
    )
    answers = [
        client.post(f"/people/invitations/{invitation.pk}/withdraw/"),
        client.post(f"/people/members/{target.pk}/role/", {"role": "license_admin"}),
        client.post(f"/people/members/{target.pk}/remove/"),
        client.post(f"/people/members/{Membership.objects.get(user=admin).pk}/remove/"),
    ]

    assert page.status_code == 200  # their own organization's people
    for word in ("Acme", "kim@example.com", "jana", "lena"):
        assert word not in page.content.decode(), word
    assert invite.status_code == 422
    assert "Acme" not in invite.content.decode()
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert _state() == before


def test_signed_out_the_pages_ask_to_sign_in(client: Client) -> None:
    answers = [
        client.get("/people/"),
        client.post("/people/invite/", {"email": "x@example.com"}),
        client.post("/people/invitations/1/withdraw/"),
        client.post("/people/members/1/role/", {"role": "member"}),
        client.post("/people/members/1/remove/"),
    ]

    assert [(a.status_code, a["Location"][:13]) for a in answers] == [(302, "/login/?next=")] * 5


def test_the_forms_answer_only_their_method(admin_client: Client) -> None:
    assert admin_client.post("/people/").status_code == 405
    assert admin_client.get("/people/invite/").status_code == 405
    assert admin_client.get("/people/members/1/remove/").status_code == 405
