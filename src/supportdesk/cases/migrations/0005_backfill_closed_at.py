"""Cases closed before ``closed_at`` existed get it from their audit trail: the instant of the
transition that closed them (their last change, ``updated_at``, where the trail has none)."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    pending = Case.objects.filter(status="closed", closed_at__isnull=True).order_by("pk")
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last).values_list("pk", "updated_at")[:1000])
        if not batch:
            return
        closings: dict[str, object] = {}
        for target_id, at, changes in (
            AuditEvent.objects.filter(
                target_type="cases.case",
                target_id__in=[str(pk) for pk, _ in batch],
                action="case.transition",
            )
            .order_by("at", "pk")
            .values_list("target_id", "at", "changes")
        ):
            status = (changes or {}).get("status")
            if isinstance(status, list) and len(status) == 2 and status[1] == "closed":
                closings[target_id] = at
        for pk, updated_at in batch:
            Case.objects.filter(pk=pk).update(closed_at=closings.get(str(pk), updated_at))
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_refuse_updates"),
        ("cases", "0004_report_indexes"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
