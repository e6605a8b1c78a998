"""Choices of the accounts app: value and label together (colour where a page shows one)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class StaffRole(models.TextChoices):
    """What a vendor staff user does (the user must also be ``is_staff``)."""

    ENGINEER = "engineer", gettext_noop("Support engineer")
    PDM = "pdm", gettext_noop("PDM (account manager)")
    SUPPORT_MANAGER = "support_manager", gettext_noop("Support manager")


class OrganizationKind(models.TextChoices):
    CUSTOMER = "customer", gettext_noop("Customer")
    PARTNER = "partner", gettext_noop("Support partner")


class Region(models.TextChoices):
    """The five regions of the language policy (R-20); keys match the policy file's."""

    US = "us", gettext_noop("United States")
    CANADA = "canada", gettext_noop("Canada")
    EMEA = "emea", gettext_noop("Europe, Middle East, Africa")
    APAC = "apac", gettext_noop("Asia-Pacific")
    LATAM = "latam", gettext_noop("Latin America")


class MembershipRole(models.TextChoices):
    """A person's role in one organization (R-1)."""

    LICENSE_ADMIN = "license_admin", gettext_noop("License administrator")
    CASE_ADMIN = "case_admin", gettext_noop("Case administrator")
    MEMBER = "member", gettext_noop("Member")

    @property
    def colour(self) -> str:
        return {"license_admin": "purple", "case_admin": "blue", "member": "grey"}[self.value]
