"""What the portal's navigation offers the signed-in person: a link only to the pages they may
use (the permission module decides)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from supportdesk.accounts.permissions import Actor, organizations_whose_people_are_managed_by

register = template.Library()


@register.simple_tag
def manages_people(user: Actor) -> bool:
    """Whether ``user`` administers an organization's people: the People page (R-1)."""
    return organizations_whose_people_are_managed_by(user, at=timezone.now()).exists()
