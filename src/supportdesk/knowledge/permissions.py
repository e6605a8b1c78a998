"""Who reads and writes what in the knowledge base, built on
:mod:`supportdesk.accounts.permissions`.

- Everyone reads published public articles; signed-in customers and partners also read the
  published customers' ones; staff read everything, drafts and internal articles included
  (the policy core's ``visible_levels``).
- Staff write categories and articles.
- A wizard session's deflection record is its user's: only they add suggestions to it and
  say how it ended; staff read every one. Anyone else is answered as if it did not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_person, is_staff, not_found
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.policy import knowledge as rules

WRITERS = "Only support staff write the knowledge base."


def audience_of(user: Actor) -> str:
    """The policy core's name for who is asking."""
    if user is None or is_staff(user):
        return "staff"
    return "customer" if is_person(user) else "anonymous"


def articles_visible_to(user: Actor) -> QuerySet[Article]:
    audience = audience_of(user)
    found = Article.objects.filter(visibility__in=rules.visible_levels(audience))
    return found if rules.sees_drafts(audience) else found.filter(status="published")


def require_writer(actor: Actor) -> None:
    if actor is None or is_staff(actor):
        return
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    raise PermissionDenied(WRITERS)


def require_article_visible(actor: Actor, article: Article) -> None:
    if not articles_visible_to(actor).filter(pk=article.pk).exists():
        raise not_found(article)


def deflections_visible_to(user: Actor) -> QuerySet[Deflection]:
    if user is None or is_staff(user):
        return Deflection.objects.all()
    if not isinstance(user, User) or not is_person(user):
        return Deflection.objects.none()
    return Deflection.objects.filter(user=user)


def require_deflection_owner(actor: Actor, deflection: Deflection) -> User:
    """The record's own user, who alone adds to it and decides it."""
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    if not deflections_visible_to(actor).filter(pk=deflection.pk).exists():
        raise not_found(deflection)
    if not isinstance(actor, User) or deflection.user_id != actor.pk:
        raise PermissionDenied("Only the person in the wizard records its suggestions.")
    return actor
