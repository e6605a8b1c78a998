"""Roll-ups the year-long reports read instead of every case (docs/domain/reports.md).

They count only *settled* cases: closed before the roll-up's horizon and answered, or without a
target (R-18, R-19). Closed is final, so nothing a settled case is counted by changes again;
an unanswered case is left out because whether it is missed or still pending, and how late,
depends on the moment the report is asked. The reports add the cases that are not settled
from the cases themselves, so a roll-up that is not fresh is slower, never wrong. Only
:mod:`supportdesk.reports.rollup` writes these rows (the worker's ``reports_rollup_refresh``).
"""

from __future__ import annotations

from django.db import models


class RollupState(models.Model):
    """The one row saying which cases the roll-ups count: the settled cases with an id up to
    ``max_case_id`` closed before ``horizon``."""

    horizon = models.DateTimeField()
    max_case_id = models.BigIntegerField()
    refreshed_at = models.DateTimeField()
    organizations = models.CharField(
        max_length=64, help_text="SHA-256 of the organizations' regions and languages counted by."
    )
    cases = models.PositiveIntegerField(default=0, help_text="Settled cases counted.")

    def __str__(self) -> str:
        return f"cases closed before {self.horizon:%Y-%m-%d %H:%M} (up to id {self.max_case_id})"


class SettledDay(models.Model):
    """Settled cases opened on a UTC day, by the value of one dimension: first-response
    outcomes (the SLA reports), or for ``lateness`` the cases answered late by how late."""

    day = models.DateField()
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    met = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    no_target = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("dimension", "day", "key"), name="reports_settledday_one_per_key"
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class SettledHour(models.Model):
    """Settled cases opened, and closed, in a UTC hour (arrivals and closures per day in any
    zone whose days start on a whole hour)."""

    hour = models.DateTimeField(unique=True)
    arrivals = models.PositiveIntegerField(default=0)
    closures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 +{self.arrivals} -{self.closures}"
