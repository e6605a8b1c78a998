from __future__ import annotations

import factory

from supportdesk.downloads.models import DigestSubscription, Release, Workaround
from tests.accounts.factories import CREATED, PersonFactory
from tests.licensing.factories import ProductVersionFactory


class ReleaseFactory(factory.django.DjangoModelFactory[Release]):
    """A GA release of a version, published at CREATED."""

    class Meta:
        model = Release

    version = factory.SubFactory(ProductVersionFactory)
    kind = "ga_release"
    name = factory.Sequence(lambda n: f"1.0.{n}")
    title = "General availability"
    url = factory.LazyAttribute(lambda r: f"https://downloads.example.com/{r.name}.iso")
    published_at = CREATED


class WorkaroundFactory(factory.django.DjangoModelFactory[Workaround]):
    class Meta:
        model = Workaround

    version = factory.SubFactory(ProductVersionFactory)
    title = "Disable the CBT driver"
    text = "Turn off changed block tracking for the job."
    created_at = CREATED


class DigestSubscriptionFactory(factory.django.DjangoModelFactory[DigestSubscription]):
    class Meta:
        model = DigestSubscription

    user = factory.SubFactory(PersonFactory)
    created_at = CREATED
