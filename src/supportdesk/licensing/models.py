from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from supportdesk.accounts.models import Organization, User
from supportdesk.licensing.choices import LicenseType, SupportLevel, UpdateRequestState
from supportdesk.policy.entitlement import LicenseFacts, SocketLine, VersionFacts

_CODE = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]*$", "Use capitals, digits and dashes, such as VBR or VONE."
)


def _ordered(earlier: str, later: str) -> Q:
    return (
        Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)})
    )


class Product(models.Model):
    """A product the vendor supports. The flagship (Backup & Replication) has first-line
    support in the customer's regional languages (R-20)."""

    code = models.CharField(max_length=20, unique=True, validators=[_CODE])
    name = models.CharField(max_length=200, unique=True)
    is_flagship = models.BooleanField(
        default=False, help_text="The flagship product: L1 in regional languages (R-20)."
    )

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(
                fields=("is_flagship",),
                condition=Q(is_flagship=True),
                name="licensing_product_one_flagship",
                violation_error_message="Another product is already the flagship (R-20).",
            ),
        )

    def __str__(self) -> str:
        return self.name


class ProductVersion(models.Model):
    """A released version and the dates of its lifecycle (R-36): GA, End of Fix, End of
    Support, End of Sale. Its state on a date comes from the policy core."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=40, help_text="Such as 12.1.")
    ga = models.DateField("GA", null=True, blank=True)
    end_of_fix = models.DateField(null=True, blank=True)
    end_of_support = models.DateField(null=True, blank=True)
    end_of_sale = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("product__name", "ga", "version")
        verbose_name = "product version"
        constraints = (
            models.UniqueConstraint(
                fields=("product", "version"),
                name="licensing_version_unique_per_product",
                violation_error_message="The product already has this version.",
            ),
            models.CheckConstraint(
                condition=_ordered("ga", "end_of_fix") & _ordered("ga", "end_of_support"),
                name="licensing_version_ends_after_ga",
                violation_error_message="End of Fix and End of Support come after GA.",
            ),
            models.CheckConstraint(
                condition=_ordered("end_of_fix", "end_of_support"),
                name="licensing_version_fix_ends_before_support",
                violation_error_message="End of Support comes after End of Fix.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.product} {self.version}"

    def facts(self) -> VersionFacts:
        return VersionFacts(
            ga=self.ga,
            end_of_fix=self.end_of_fix,
            end_of_support=self.end_of_support,
            end_of_sale=self.end_of_sale,
        )


class License(models.Model):
    """A customer's license of one product: its type, validity, maintenance contract and
    socket/instance lines (R-5 to R-9)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="licenses"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="licenses")
    license_type = models.CharField(max_length=20, choices=LicenseType.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Inclusive; empty: no end.")
    maintenance_from = models.DateField(null=True, blank=True)
    maintenance_until = models.DateField(
        null=True, blank=True, help_text="Inclusive; empty with a start: no end."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("organization__name", "product__name", "pk")
        constraints = (
            models.CheckConstraint(
                condition=_ordered("valid_from", "valid_until"),
                name="licensing_license_valid_until_after_from",
                violation_error_message="The license ends after it starts.",
            ),
            models.CheckConstraint(
                condition=_ordered("maintenance_from", "maintenance_until"),
                name="licensing_license_maintenance_until_after_from",
                violation_error_message="Maintenance ends after it starts.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.product} {self.get_license_type_display()} license of {self.organization}"

    def facts(self) -> LicenseFacts:
        """The license as the policy core reads it (uses prefetched lines when there are)."""
        return LicenseFacts(
            license_type=self.license_type,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            maintenance_from=self.maintenance_from,
            maintenance_until=self.maintenance_until,
            lines=tuple(line.facts() for line in self.lines.all()),
        )


class LicenseLine(models.Model):
    """Sockets or instances of a license: how many, whether in production, and the support
    level they are covered at (R-7)."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="lines")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    production = models.BooleanField(default=True)
    level = models.CharField(max_length=20, choices=SupportLevel.choices)

    class Meta:
        ordering = ("license", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="licensing_line_count_positive",
                violation_error_message="A line counts at least one socket or instance.",
            ),
        )

    def __str__(self) -> str:
        use = "production" if self.production else "non-production"
        return f"{self.count} {use} at {self.get_level_display()}"

    def facts(self) -> SocketLine:
        return SocketLine(count=self.count, production=self.production, level=self.level)


class SupportId(models.Model):
    """The code a customer types when opening a case (R-2), bound to one license.

    Codes are never reused: a revoked one stays, marked revoked."""

    code = models.CharField(max_length=24, unique=True)
    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="support_ids")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("license", "created_at", "pk")
        verbose_name = "Support ID"

    def __str__(self) -> str:
        return self.code


class LicenseUpdateRequest(models.Model):
    """A customer's one-click request for an updated license file or key (R-3), such as
    after a renewal: open until the vendor's license desk sends the update or declines it,
    saying why. One open request per license: a second click finds the first."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="update_requests")
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=UpdateRequestState.choices, default=UpdateRequestState.OPEN
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.CharField(
        max_length=2000, blank=True, default="", help_text="What was sent, or why not."
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("license",),
                condition=Q(state="open"),
                name="licensing_one_open_update_request_per_license",
                violation_error_message="The license has an open update request already.",
            ),
            models.CheckConstraint(
                condition=Q(state="open", decided_at__isnull=True)
                | (~Q(state="open") & Q(decided_at__isnull=False)),
                name="licensing_update_request_decided_when_closed",
                violation_error_message="A decided request has its decision time.",
            ),
        )

    def __str__(self) -> str:
        return f"update of {self.license} asked {self.created_at:%Y-%m-%d}"
