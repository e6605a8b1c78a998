"""``{{ value|translated }}``: a choice's label in the reader's language.

The models' choice labels stay plain English strings (the API, the exports and the audit trail
carry them as they are); each is marked with ``gettext_noop`` so that ``make messages``
collects it, and pages translate it only where they show it."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value: object) -> object:
    return gettext(value) if isinstance(value, str) and value else value
