"""The four questions of the satisfaction survey (R-34), each answered on a scale of 1 to 5."""

from __future__ import annotations

from django.db import models

SCALE = (1, 2, 3, 4, 5)


class Question(models.TextChoices):
    """R-34: case resolution, professionalism, the analyst's knowledge, overall satisfaction."""

    RESOLUTION = "resolution", "How satisfied are you with the resolution of your case?"
    PROFESSIONALISM = "professionalism", "How professional was our support?"
    KNOWLEDGE = "knowledge", "How would you rate the analyst's knowledge?"
    OVERALL = "overall", "Overall, how satisfied are you with our support?"


QUESTIONS_CS = {
    "resolution": "Jak jste spokojeni s vyřešením svého požadavku?",
    "professionalism": "Jak profesionální byla naše podpora?",
    "knowledge": "Jak hodnotíte znalosti analytika?",
    "overall": "Jak jste celkově spokojeni s naší podporou?",
}
