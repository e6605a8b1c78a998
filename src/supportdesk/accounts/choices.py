"""Choices of the accounts app: value and label together (colour where a page shows one)."""

from __future__ import annotations

from django.db import models


class StaffRole(models.TextChoices):
    """What a vendor staff user does (the user must also be ``is_staff``)."""

    ENGINEER = "engineer", "Support engineer"
    PDM = "pdm", "PDM (account manager)"
    SUPPORT_MANAGER = "support_manager", "Support manager"


class OrganizationKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Support partner"


class Region(models.TextChoices):
    """The five regions of the language policy (R-20); keys match the policy file's."""

    US = "us", "United States"
    CANADA = "canada", "Canada"
    EMEA = "emea", "Europe, Middle East, Africa"
    APAC = "apac", "Asia-Pacific"
    LATAM = "latam", "Latin America"


class MembershipRole(models.TextChoices):
    """A person's role in one organization (R-1)."""

    LICENSE_ADMIN = "license_admin", "License administrator"
    CASE_ADMIN = "case_admin", "Case administrator"
    MEMBER = "member", "Member"

    @property
    def colour(self) -> str:
        return {"license_admin": "purple", "case_admin": "blue", "member": "grey"}[self.value]
