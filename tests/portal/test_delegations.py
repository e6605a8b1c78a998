"""The delegations page for license administrators (R-3, R-4): list, grant, end; through
the accounts services, audited, refusals naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import Delegation
from supportdesk.audit.models import AuditEvent
from tests.accounts.factories import (
    DelegationFactory,
    OrganizationFactory,
    PartnerFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_a_license_admin_grants_a_delegation_and_ends_it(client: Client) -> None:
    org = OrganizationFactory.create(name="Acme")
    admin = member(org, "license_admin")
    partner = PartnerFactory.create(name="Backup Pros")
    client.force_login(admin)

    page = client.get("/delegations/").content.decode()
    granted = client.post(
        "/delegations/new/", {"customer": org.pk, "partner": partner.pk, "ends_on": ""}
    )
    delegation = Delegation.objects.get()
    listed = client.get("/delegations/").content.decode()
    ended = client.post(f"/delegations/{delegation.pk}/end/")
    delegation.refresh_from_db()

    assert "Let a support partner act for you" in page
    assert f'<option value="{partner.pk}">Backup Pros</option>' in page
    assert granted.status_code == 302
    assert (delegation.customer, delegation.partner, delegation.granted_by) == (
        org,
        partner,
        admin,
    )
    assert "End the delegation to Backup Pros" in listed
    assert ended.status_code == 302
    assert delegation.ends_at is not None
    assert delegation.ends_at <= timezone.now()
    assert list(
        AuditEvent.objects.filter(action__startswith="delegation.").values_list("action", flat=True)
    ) == ["delegation.create", "delegation.update"]


def test_a_delegation_that_has_not_started_is_withdrawn(client: Client) -> None:
    org = OrganizationFactory.create()
    client.force_login(member(org, "license_admin"))
    later = DelegationFactory.create(
        customer=org, partner=PartnerFactory.create(), starts_at=timezone.now() + timedelta(days=2)
    )

    response = client.post(f"/delegations/{later.pk}/end/")

    assert response.status_code == 302
    assert not Delegation.objects.filter(pk=later.pk).exists()
    assert AuditEvent.objects.filter(action="delegation.delete").count() == 1


def test_an_end_before_today_names_the_field_and_grants_nothing(client: Client) -> None:
    org = OrganizationFactory.create()
    client.force_login(member(org, "license_admin"))
    partner = PartnerFactory.create()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post(
        "/delegations/new/", {"customer": org.pk, "partner": partner.pk, "ends_on": yesterday}
    )

    assert response.status_code == 422
    assert 'id="id_ends_on-error"' in response.content.decode()
    assert Delegation.objects.count() == 0


def test_a_plain_member_sees_the_delegations_but_may_not_grant_or_end(client: Client) -> None:
    org = OrganizationFactory.create()
    delegation = DelegationFactory.create(customer=org, partner=PartnerFactory.create(name="P"))
    client.force_login(member(org, "member"))

    page = client.get("/delegations/").content.decode()
    grant = client.post("/delegations/new/", {"customer": org.pk, "partner": delegation.partner_id})
    end = client.post(f"/delegations/{delegation.pk}/end/")

    assert "<td>P</td>" in page
    assert "Let a support partner act for you" not in page
    assert "End the delegation" not in page
    assert (grant.status_code, end.status_code) == (403, 403)
    delegation.refresh_from_db()
    assert delegation.ends_at is None
    assert Delegation.objects.count() == 1


def test_another_organization_s_delegation_is_not_found(client: Client) -> None:
    theirs = DelegationFactory.create(
        customer=OrganizationFactory.create(), partner=PartnerFactory.create(name="Theirs")
    )
    client.force_login(member(OrganizationFactory.create(), "license_admin"))

    page = client.get("/delegations/").content.decode()
    end = client.post(f"/delegations/{theirs.pk}/end/")

    assert "Theirs" not in page.split("<select")[0]
    assert end.status_code == 404
    theirs.refresh_from_db()
    assert theirs.ends_at is None


def test_signed_out_the_page_asks_to_sign_in(client: Client) -> None:
    assert client.get("/delegations/")["Location"].startswith("/login/?next=")
