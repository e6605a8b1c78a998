"""One index of the unanswered cases by due time instead of two, and the cases not closed,
each with every column the reports count.

- ``cases_unanswered_due`` (the console's at risk: unanswered and neither resolved nor
  closed) is dropped: ``cases_case_unanswered_due_idx`` (unanswered, by due time) holds its
  cases and answers its queries; the reports need the closed unanswered cases too, and now
  read them from that index alone (it holds the columns they count).
- ``cases_case_open_idx`` (the four open states) becomes ``cases_case_not_closed_idx``: every
  case not closed, resolved ones too, with the columns the reports count, so that the cases
  the reports' roll-ups leave out are read from the index alone. The backlog reads it as
  before.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_idempotency_fingerprint")]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="cases_unanswered_due",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_open_idx",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_unanswered_due_idx",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=[
                    "opened_at",
                    "status",
                    "program",
                    "severity",
                    "kind",
                    "product",
                    "organization",
                    "first_response_due_at",
                    "first_responded_at",
                    "first_response_late_by",
                    "closed_at",
                ],
                name="cases_case_not_closed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("first_responded_at__isnull", True)),
                fields=[
                    "first_response_due_at",
                    "opened_at",
                    "status",
                    "closed_at",
                    "id",
                    "program",
                    "severity",
                    "kind",
                    "product",
                    "organization",
                    "first_responded_at",
                    "first_response_late_by",
                ],
                name="cases_case_unanswered_due_idx",
            ),
        ),
    ]
