"""The People page for license administrators (R-1): each organization they administer, its
members and its open invitations; they invite a person by e-mail address, withdraw an
invitation, change a member's role and remove a member.

The writes are the accounts services' (checked, locked and audited there); a refusal comes
back on the page (422), on the field it names. Someone who administers no organization gets
the page's refusal (403), whatever the object they ask about; an administrator asking about an
invitation or membership of an organization they do not administer gets 404, as for one that
does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts import services
from supportdesk.accounts.choices import MembershipRole
from supportdesk.accounts.models import Invitation, Membership, Organization, User
from supportdesk.accounts.permissions import organizations_whose_people_are_managed_by
from supportdesk.errors import Conflict
from supportdesk.portal.case_forms import PortalForm, refusals_onto
from supportdesk.ratelimit import rate_limited


def _role_choices() -> list[tuple[str, str]]:
    """The roles, labelled in the reader's language (the labels are gettext_noop'd)."""
    return [(value, _(label)) for value, label in MembershipRole.choices]


class InviteForm(PortalForm):
    organization = forms.TypedChoiceField(label=gettext_lazy("Organization"), coerce=int)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        initial=MembershipRole.MEMBER,
        help_text=gettext_lazy(
            "License administrators manage the organization's people and may open cases; "
            "case administrators may open cases; members read."
        ),
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.choices = [(o.pk, o.name) for o in organizations]  # type: ignore[attr-defined]
        if len(organizations) == 1:  # nothing to choose: the page names it
            field.widget = forms.HiddenInput()
            field.initial = organizations[0].pk
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]


class RoleForm(PortalForm):
    role = forms.ChoiceField(label=gettext_lazy("Role"))

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        # one form a member on the page: ids of its own
        kwargs.setdefault("auto_id", f"id_member{membership.pk}_%s")
        kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]


def _managed(request: HttpRequest, now: datetime) -> list[Organization]:
    return list(
        organizations_whose_people_are_managed_by(request.user, at=now).order_by("name", "pk")
    )


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/pages/people_refused.html", {"title": _("People")}, status=403)


def _person(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _page(
    request: HttpRequest,
    organizations: list[Organization],
    *,
    form: InviteForm | None = None,
    role_forms: dict[int, RoleForm] | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    pks = [o.pk for o in organizations]
    role_forms = role_forms or {}
    members: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
    for membership in (
        Membership.objects.filter(organization_id__in=pks)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    ):
        members[membership.organization_id].append(
            {
                "membership": membership,
                "name": membership.user.get_full_name(),
                "form": role_forms.get(membership.pk) or RoleForm(membership=membership),
            }
        )
    for rows in members.values():  # the only license administrator keeps the role
        admins = [r for r in rows if r["membership"].role == MembershipRole.LICENSE_ADMIN]
        for row in rows:
            row["last_admin"] = len(admins) == 1 and row is admins[0]
    invitations: dict[int, list[Invitation]] = {pk: [] for pk in pks}
    for invitation in (
        Invitation.objects.filter(
            organization_id__in=pks,
            accepted_at__isnull=True,
            ended_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    ):
        invitations[invitation.organization_id].append(invitation)
    context = {
        "title": _("People"),
        "groups": [
            {"organization": o, "members": members[o.pk], "invitations": invitations[o.pk]}
            for o in organizations
        ],
        "single": organizations[0] if len(organizations) == 1 else None,
        "form": form or InviteForm(organizations=organizations),
        "refusal": refusal or [],
    }
    return render(request, "portal/pages/people.html", context, status=status)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """To the People page, or home when the person no longer manages anyone's people (they
    changed their own role)."""
    if _managed(request, timezone.now()):
        return HttpResponseRedirect(reverse("portal:people"))
    return HttpResponseRedirect(reverse("portal:home"))


def _membership(pk: int, organizations: list[Organization]) -> Membership:
    try:
        return Membership.objects.select_related("organization", "user").get(
            pk=pk, organization_id__in=[o.pk for o in organizations]
        )
    except Membership.DoesNotExist:
        raise Http404("No such membership.") from None


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """The members and open invitations of each organization the person administers."""
    organizations = _managed(request, timezone.now())
    if not organizations:
        return _refused(request)
    return _page(request, organizations)


@login_required
@require_POST
@rate_limited("invitation-send")  # as the API's: nobody mails strangers in bulk
def people_invite(request: HttpRequest) -> HttpResponse:
    """Mail an address an invitation (R-1). The answer is the same whether an account has the
    address or not."""
    now = timezone.now()
    organizations = _managed(request, now)
    if not organizations:
        return _refused(request)
    form = InviteForm(request.POST, organizations=organizations)
    if not form.is_valid():
        return _page(request, organizations, form=form, status=422)
    data = form.cleaned_data
    try:
        invitation, _token = services.invitation_create(
            actor=request.user,
            organization=next(o for o in organizations if o.pk == data["organization"]),
            email=data["email"],
            role=data["role"],
            at=now,
        )
    except ValidationError as exc:
        refusals_onto(form, exc)
        return _page(request, organizations, form=form, status=422)
    messages.success(
        request, _("We sent an invitation to %(address)s.") % {"address": invitation.email}
    )
    return HttpResponseRedirect(reverse("portal:people"))


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an open invitation: its link stops working."""
    now = timezone.now()
    organizations = _managed(request, now)
    if not organizations:
        return _refused(request)
    try:
        invitation = Invitation.objects.select_related("organization").get(
            pk=pk, organization_id__in=[o.pk for o in organizations]
        )
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    try:
        services.invitation_end(actor=request.user, invitation=invitation, at=now)
    except ObjectDoesNotExist:
        raise Http404("No such invitation.") from None
    except Conflict:
        messages.info(
            request,
            _(
                "The invitation to %(address)s is not open any more: it was accepted, "
                "withdrawn or replaced by a newer one, or it has expired."
            )
            % {"address": invitation.email},
        )
        return HttpResponseRedirect(reverse("portal:people"))
    messages.success(
        request,
        _("The invitation to %(address)s is withdrawn: its link no longer works.")
        % {"address": invitation.email},
    )
    return HttpResponseRedirect(reverse("portal:people"))


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role; the last license administrator keeps theirs (the service)."""
    now = timezone.now()
    organizations = _managed(request, now)
    if not organizations:
        return _refused(request)
    membership = _membership(pk, organizations)
    form = RoleForm(request.POST, membership=membership)
    if not form.is_valid():
        return _page(request, organizations, role_forms={membership.pk: form}, status=422)
    try:
        membership = services.membership_update(
            actor=request.user, membership=membership, role=form.cleaned_data["role"], at=now
        )
    except ObjectDoesNotExist:
        raise Http404("No such membership.") from None
    except ValidationError as exc:
        refusals_onto(form, exc)
        return _page(
            request,
            organizations,
            role_forms={membership.pk: form},
            refusal=exc.messages,
            status=422,
        )
    messages.success(
        request,
        _("%(person)s now has the role “%(role)s” in %(organization)s.")
        % {
            "person": _person(membership.user),
            "role": _(membership.get_role_display()),
            "organization": membership.organization.name,
        },
    )
    return _back(request)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a member from the organization: their sessions end (the service); the last
    license administrator stays."""
    now = timezone.now()
    organizations = _managed(request, now)
    if not organizations:
        return _refused(request)
    membership = _membership(pk, organizations)
    try:
        services.membership_delete(actor=request.user, membership=membership, at=now)
    except ObjectDoesNotExist:
        raise Http404("No such membership.") from None
    except ValidationError as exc:
        return _page(request, organizations, refusal=exc.messages, status=422)
    messages.success(
        request,
        _("%(person)s is no longer a member of %(organization)s.")
        % {"person": _person(membership.user), "organization": membership.organization.name},
    )
    return _back(request)
