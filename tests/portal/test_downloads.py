"""Downloads pages: the products a person holds, a version's releases with what they may
download and why, End of Support marked with workarounds and the upgrade path, the file
redirect, and the digest form."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from supportdesk.downloads.models import DigestSubscription
from tests.accounts.factories import MembershipFactory
from tests.downloads.factories import ReleaseFactory, WorkaroundFactory
from tests.licensing.factories import LicenseFactory, ProductFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client: Client):
    product = ProductFactory.create(name="Backup & Replication")
    old = ProductVersionFactory.create(
        product=product, version="11", ga=date(2021, 1, 1), end_of_support=date(2025, 1, 1)
    )
    current = ProductVersionFactory.create(product=product, version="13", ga=date(2026, 1, 1))
    membership = MembershipFactory.create()
    LicenseFactory.create(
        organization=membership.organization, product=product, maintenance_until=date(2025, 6, 1)
    )
    client.force_login(membership.user)
    return product, old, current


def test_the_index_lists_held_products_with_lifecycle(client: Client, setup) -> None:
    ProductFactory.create(name="Not held")

    html = client.get("/downloads/").content.decode()

    assert "Backup &amp; Replication" in html
    assert "Not held" not in html
    assert "End of Support" in html


def test_an_end_of_support_version_shows_workarounds_fixes_and_the_upgrade(
    client: Client, setup
) -> None:
    _, old, current = setup
    ga = ReleaseFactory.create(version=old, name="11.0.1")
    hotfix = ReleaseFactory.create(version=old, name="P3", kind="hotfix")
    WorkaroundFactory.create(version=old, title="Disable CBT")

    html = client.get(f"/downloads/versions/{old.pk}/").content.decode()

    assert "past its end of support" in html
    assert "Disable CBT" in html
    assert f'href="/downloads/versions/{current.pk}/"' in html
    assert re.findall(r'href="/downloads/releases/(\d+)/file/"', html) == [str(ga.pk)]
    assert "A hotfix needs an active maintenance contract" in html
    assert client.get(f"/downloads/releases/{ga.pk}/file/").status_code == 302
    assert client.get(f"/downloads/releases/{hotfix.pk}/file/").status_code == 403


def test_a_version_of_a_product_not_held_is_not_found(client: Client, setup) -> None:
    other = ProductVersionFactory.create()
    assert client.get(f"/downloads/versions/{other.pk}/").status_code == 404


def test_the_digest_form_subscribes_and_unsubscribes(client: Client, setup) -> None:
    assert client.post("/downloads/digest/", {"subscribe": "1"}).status_code == 302
    assert DigestSubscription.objects.count() == 1
    assert "You get the weekly digest" in client.get("/downloads/").content.decode()
    client.post("/downloads/digest/", {"subscribe": "0"})
    assert DigestSubscription.objects.count() == 0


def test_downloads_need_a_sign_in() -> None:
    anonymous = Client()
    assert anonymous.get("/downloads/").status_code == 302
