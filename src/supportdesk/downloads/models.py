from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from supportdesk.accounts.models import User
from supportdesk.downloads.choices import ReleaseKind
from supportdesk.licensing.models import ProductVersion

_SHA256 = RegexValidator(r"^([0-9a-f]{64})?$", "64 lower-case hexadecimal digits.")


class Release(models.Model):
    """A published build of a product version: its GA release, a maintenance release, or a
    hotfix (R-9, R-36, R-38). Who may download it follows the policy core's
    ``may_download``; publishing announces it to the customers entitled to it."""

    version = models.ForeignKey(ProductVersion, on_delete=models.PROTECT, related_name="releases")
    kind = models.CharField(max_length=20, choices=ReleaseKind.choices)
    name = models.CharField(max_length=60, help_text="The build, such as 12.1.2.172 or P20261101.")
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True, default="", help_text="What it fixes or brings.")
    url = models.URLField(max_length=500, help_text="Where the file is downloaded from.")
    sha256 = models.CharField(max_length=64, blank=True, default="", validators=[_SHA256])
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(db_index=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("version", "-published_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("version", "name"),
                name="downloads_release_unique_name_per_version",
                violation_error_message="The version already has a release of this name.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.version} {self.name} ({self.get_kind_display()})"


class Workaround(models.Model):
    """A known workaround for a problem of a product version, shown with its downloads (also
    after End of Support, R-37)."""

    version = models.ForeignKey(
        ProductVersion, on_delete=models.CASCADE, related_name="workarounds"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("version", "-created_at", "pk")

    def __str__(self) -> str:
        return self.title


class DigestSubscription(models.Model):
    """A person who gets the weekly digest of new fixes by mail (R-38)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="fix_digest")
    created_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="The end of the period the last digest covered."
    )

    class Meta:
        ordering = ("user__username",)
        verbose_name = "fix digest subscription"

    def __str__(self) -> str:
        return f"Fix digest of {self.user}"
