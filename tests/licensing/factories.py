from __future__ import annotations

from datetime import date

import factory

from supportdesk.licensing import support_ids
from supportdesk.licensing.choices import LicenseType, SupportLevel
from supportdesk.licensing.models import (
    License,
    LicenseLine,
    LicenseUpdateRequest,
    Product,
    ProductVersion,
    SupportId,
)
from tests.accounts.factories import CREATED, OrganizationFactory


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    is_flagship = False


class ProductVersionFactory(factory.django.DjangoModelFactory[ProductVersion]):
    class Meta:
        model = ProductVersion

    product = factory.SubFactory(ProductFactory)
    version = factory.Sequence(lambda n: f"{n}.0")
    ga = date(2025, 1, 1)


class LicenseFactory(factory.django.DjangoModelFactory[License]):
    """A perpetual license with maintenance through 2026 and no lines (use LineFactory)."""

    class Meta:
        model = License

    organization = factory.SubFactory(OrganizationFactory)
    product = factory.SubFactory(ProductFactory)
    license_type = LicenseType.PERPETUAL
    valid_from = date(2025, 1, 1)
    valid_until = None
    maintenance_from = date(2025, 1, 1)
    maintenance_until = date(2026, 12, 31)
    created_at = CREATED


class LicenseLineFactory(factory.django.DjangoModelFactory[LicenseLine]):
    class Meta:
        model = LicenseLine

    license = factory.SubFactory(LicenseFactory)
    count = 4
    production = True
    level = SupportLevel.PRODUCTION


class SupportIdFactory(factory.django.DjangoModelFactory[SupportId]):
    class Meta:
        model = SupportId

    code = factory.LazyFunction(support_ids.generate)
    license = factory.SubFactory(LicenseFactory)
    created_at = CREATED


class LicenseUpdateRequestFactory(factory.django.DjangoModelFactory[LicenseUpdateRequest]):
    """An open request for an updated license (R-3), made at CREATED."""

    class Meta:
        model = LicenseUpdateRequest

    license = factory.SubFactory(LicenseFactory)
    created_at = CREATED
