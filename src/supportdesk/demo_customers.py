"""Demo customers, partners, products and licenses, for `supportdesk demo`.

One customer per region (R-20) and one license per support program, each through the
services: a Premium customer with its PDM (R-10), Production, a mixed-socket license that
falls back to Basic (R-7: 10 production sockets, 6 at Production and 4 at Basic), a trial
(R-8), an NFR license (R-9), a license whose maintenance has lapsed (R-8a), and a partner
acting for two customers (R-4). The flagship product has a version in every lifecycle state
(R-36). Dates are relative to today, so that every state holds whenever the demo runs; a second
load refreshes them and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from supportdesk.accounts import services as accounts
from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import Delegation, Membership, Organization, User
from supportdesk.licensing import services as licensing
from supportdesk.licensing.models import Product, ProductVersion, SupportId
from supportdesk.policy.entitlement import SocketLine

#: The password of every demo customer and partner login (documented, for the demo only).
DEMO_PASSWORD = "demo"  # noqa: S105  # documented on purpose, like the other demo logins


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    organization: str | None  # None: vendor staff
    role: str  # a membership role, or a staff role
    description: str


@dataclass(frozen=True)
class Customer:
    name: str
    country: str
    subdivision: str
    time_zone: str
    language: str
    kind: str = "customer"
    pdm: str | None = None


CUSTOMERS = (
    Customer("Nordlicht Versicherung AG", "DE", "BY", "Europe/Berlin", "de", pdm="pdm"),
    Customer("Maple Health Network", "CA", "ON", "America/Toronto", "en"),
    Customer("Sakura Logistics", "JP", "", "Asia/Tokyo", "ja"),
    Customer("Pampa Agro", "AR", "", "America/Argentina/Buenos_Aires", "es"),
    Customer("Lone Star Labs", "US", "TX", "America/Chicago", "en"),
    Customer("Bluewave IT Services", "GB", "", "Europe/London", "en", kind="partner"),
)

PEOPLE = (
    Person("pdm", "Petra", "Dvořák", None, StaffRole.PDM, "PDM of Nordlicht (staff)"),
    Person("manager", "Martin", "Svoboda", None, StaffRole.SUPPORT_MANAGER, "support manager"),
    Person("nora", "Nora", "Becker", "Nordlicht Versicherung AG", "license_admin",
           "license administrator, Nordlicht (Premium, DE)"),
    Person("otto", "Otto", "Weber", "Nordlicht Versicherung AG", "member",
           "member, Nordlicht (reads, opens no cases)"),
    Person("maya", "Maya", "Tremblay", "Maple Health Network", "license_admin",
           "license administrator, Maple Health (Production, CA)"),
    Person("mike", "Mike", "Roy", "Maple Health Network", "case_admin",
           "case administrator, Maple Health"),
    Person("sakura", "Sakura", "Tanaka", "Sakura Logistics", "license_admin",
           "license administrator, Sakura Logistics (mixed sockets: Basic; lapsed ONE, JP)"),
    Person("pablo", "Pablo", "Gómez", "Pampa Agro", "license_admin",
           "license administrator, Pampa Agro (trial, AR)"),
    Person("lara", "Lara", "Hughes", "Lone Star Labs", "license_admin",
           "license administrator, Lone Star Labs (NFR, US)"),
    Person("pete", "Pete", "Morgan", "Bluewave IT Services", "license_admin",
           "partner, acts for Nordlicht and Pampa Agro"),
)  # fmt: skip

DELEGATIONS = (
    ("Nordlicht Versicherung AG", "Bluewave IT Services", "nora"),
    ("Pampa Agro", "Bluewave IT Services", "pablo"),
)


def _products(today: date) -> dict[str, tuple[str, bool, dict[str, dict[str, date | None]]]]:
    """code: (name, flagship, {version: lifecycle dates}) with every state of R-36 today."""
    years = 365
    return {
        "VBR": (
            "Backup & Replication",
            True,
            {
                # End of Sale: no longer sold, End of Support still ahead
                "10": _dates(today, -6 * years, -4 * years, 1 * years, sale=-180),
                "11": _dates(today, -5 * years, -3 * years, -30),  # End of Support
                "12": _dates(today, -2 * years, -90, 2 * years),  # End of Fix
                "13": _dates(today, -60, None, None),  # GA
            },
        ),
        "VONE": ("ONE", False, {"12": _dates(today, -400, None, None)}),
    }


def _dates(
    today: date, ga: int, eof: int | None, eos: int | None, sale: int | None = None
) -> dict[str, date | None]:
    def at(days: int | None) -> date | None:
        return today + timedelta(days=days) if days is not None else None

    return {"ga": at(ga), "end_of_fix": at(eof), "end_of_support": at(eos), "end_of_sale": at(sale)}


def _licenses(today: date) -> list[dict[str, Any]]:
    year, half = timedelta(days=365), timedelta(days=182)
    return [
        {  # Premium: every production socket at Premium
            "support_id": "SID-DEM0-0000-0001",
            "organization": "Nordlicht Versicherung AG",
            "product": "VBR",
            "license_type": "perpetual",
            "valid_from": today - 3 * year,
            "maintenance_from": today - year,
            "maintenance_until": today + year,
            "lines": (SocketLine(20, True, "premium"), SocketLine(4, False, "basic")),
        },
        {  # Production
            "support_id": "SID-DEM0-0000-0002",
            "organization": "Maple Health Network",
            "product": "VBR",
            "license_type": "subscription",
            "valid_from": today - half,
            "valid_until": today + half,
            "maintenance_from": today - half,
            "maintenance_until": today + half,
            "lines": (SocketLine(8, True, "production"),),
        },
        {  # mixed sockets: 6 at Production and 4 at Basic give Basic
            "support_id": "SID-DEM0-0000-0003",
            "organization": "Sakura Logistics",
            "product": "VBR",
            "license_type": "perpetual",
            "valid_from": today - 2 * year,
            "maintenance_from": today - half,
            "maintenance_until": today + half,
            "lines": (SocketLine(6, True, "production"), SocketLine(4, True, "basic")),
        },
        {  # lapsed maintenance: no program, renew (R-8a)
            "support_id": "SID-DEM0-0000-0004",
            "organization": "Sakura Logistics",
            "product": "VONE",
            "license_type": "perpetual",
            "valid_from": today - 2 * year,
            "maintenance_from": today - 2 * year,
            "maintenance_until": today - timedelta(days=45),
            "lines": (SocketLine(5, True, "production"),),
        },
        {  # trial inside its period
            "support_id": "SID-DEM0-0000-0005",
            "organization": "Pampa Agro",
            "product": "VBR",
            "license_type": "trial",
            "valid_from": today - timedelta(days=10),
            "valid_until": today + timedelta(days=20),
            "lines": (SocketLine(2, True, "basic"),),
        },
        {  # NFR: best effort, no phone
            "support_id": "SID-DEM0-0000-0006",
            "organization": "Lone Star Labs",
            "product": "VBR",
            "license_type": "nfr",
            "valid_from": today - year,
            "valid_until": today + year,
            "lines": (SocketLine(4, False, "basic"),),
        },
    ]


LICENSE_DATES = ("valid_from", "valid_until", "maintenance_from", "maintenance_until")


def load_customers(stdout: Writer, *, now: datetime | None = None) -> list[Person]:
    """Create or refresh the demo customers; returns the people who can sign in."""
    at = now or timezone.now()
    today = at.date()
    with transaction.atomic():
        password = make_password(DEMO_PASSWORD)  # hashed once: the demo loads quickly
        people = {person.username: _person(person, password) for person in PEOPLE}
        orgs = {customer.name: _organization(customer, people, at) for customer in CUSTOMERS}
        for person in PEOPLE:
            if person.organization is not None:
                _membership(orgs[person.organization], people[person.username], person.role, at)
        for customer, partner, granted_by in DELEGATIONS:
            _delegation(orgs[customer], orgs[partner], people[granted_by], at)
        products = _load_products(today, at)
        for spec in _licenses(today):
            _license(spec, orgs, products, at)
    stdout.write(
        f"demo customers: {len(CUSTOMERS) - 1} customers (one per region), 1 partner, "
        f"{len(products)} products, {len(_licenses(today))} licenses\n"
    )
    return list(PEOPLE)


def _person(person: Person, password: str) -> User:
    user, _ = User.objects.get_or_create(
        username=person.username,
        defaults={"email": f"{person.username}@example.com"},
    )
    staff = person.organization is None
    user.first_name, user.last_name = person.first_name, person.last_name
    user.is_staff = staff
    user.staff_role = person.role if staff else ""
    user.is_active = True
    user.password = password
    user.save(
        update_fields=["first_name", "last_name", "is_staff", "staff_role", "is_active", "password"]
    )
    return user


def _organization(customer: Customer, people: dict[str, User], at: datetime) -> Organization:
    found = Organization.objects.filter(name=customer.name).first()
    if found is not None:
        return found
    return accounts.organization_create(
        actor=None,
        name=customer.name,
        kind=customer.kind,
        country=customer.country,
        subdivision=customer.subdivision,
        time_zone=customer.time_zone,
        language=customer.language,
        pdm=people[customer.pdm] if customer.pdm else None,
        at=at,
    )


def _membership(org: Organization, user: User, role: str, at: datetime) -> None:
    if not Membership.objects.filter(organization=org, user=user).exists():
        accounts.membership_create(actor=None, organization=org, user=user, role=role, at=at)


def _delegation(customer: Organization, partner: Organization, by: User, at: datetime) -> None:
    if not Delegation.objects.filter(customer=customer, partner=partner).exists():
        accounts.delegation_create(
            actor=by, customer=customer, partner=partner, starts_at=at - timedelta(days=90), at=at
        )


def _load_products(today: date, at: datetime) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for code, (name, flagship, versions) in _products(today).items():
        product = Product.objects.filter(code=code).first() or licensing.product_create(
            actor=None, code=code, name=name, is_flagship=flagship, at=at
        )
        for label, dates in versions.items():
            row = ProductVersion.objects.filter(product=product, version=label).first()
            if row is None:
                licensing.product_version_create(
                    actor=None, product=product, version=label, at=at, **dates
                )
            elif any(getattr(row, key) != value for key, value in dates.items()):
                # keep each version in its lifecycle state on the day the demo runs; the
                # whole set at once, so the dates stay in order at every step
                licensing.product_version_update(actor=None, version=row, changes=dates, at=at)
        products[code] = product
    return products


def _license(
    spec: dict[str, Any], orgs: dict[str, Organization], products: dict[str, Product], at: datetime
) -> None:
    dates = {key: spec.get(key) for key in LICENSE_DATES}
    sid = SupportId.objects.select_related("license").filter(code=spec["support_id"]).first()
    if sid is None:
        licensing.license_create(
            actor=None,
            organization=orgs[spec["organization"]],
            product=products[spec["product"]],
            license_type=spec["license_type"],
            lines=spec["lines"],
            support_id=spec["support_id"],
            at=at,
            **dates,
        )
        return
    license = sid.license
    changed = {key: value for key, value in dates.items() if getattr(license, key) != value}
    if changed:
        licensing.license_update(actor=None, license=license, changes=changed, at=at)
