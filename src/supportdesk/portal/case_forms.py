"""Forms of the portal's case pages and of the new-case wizard: they parse and check the shape
of the input; whether a case may be opened, and with what clock, the cases services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.models import Organization
from supportdesk.cases.choices import ContactMethod
from supportdesk.policy import get_policy
from supportdesk.policy.case_states import STATES

KIND_LABELS = {
    "technical": _("Technical problem"),
    "licensing": _("Licensing"),
    "general_inquiry": _("General inquiry or feedback"),
    "feature_request": _("Feature request"),
}

STATUS_LABELS = {
    "new": _("New"),
    "in_progress": _("In progress"),
    "waiting_for_customer": _("Waiting for you"),
    "waiting_for_third_party": _("Waiting for a third party"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
}

CONTACT_LABELS = {ContactMethod.EMAIL: _("E-mail"), ContactMethod.PHONE: _("Phone")}


def refusals_onto(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal onto the form: each message on the field it names, or on the
    form as a whole when the form has no such field."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def severity_choices() -> list[tuple[int, str]]:
    return [(n, _("Severity %(n)d") % {"n": n}) for n in get_policy().severities]


class PortalForm(forms.Form):
    """Fields tell assistive technology about their help text and errors."""

    title: Any = ""

    def _id(self, name: str) -> str:
        return str(self.auto_id) % name if self.auto_id else name

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self._id(name)}-help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                described = widget.attrs.get("aria-describedby", "")
                error_id = f"{self._id(name)}-error"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


class CommentForm(PortalForm):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class SeverityRequestForm(PortalForm):
    severity = forms.TypedChoiceField(label=_("New severity"), coerce=int)
    reason = forms.CharField(
        label=_("Why: how has the business impact changed?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # on the case page beside the reply form: ids of its own
        kwargs.setdefault("auto_id", "severity_%s")
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = severity_choices()  # type: ignore[attr-defined]


class ManagerRequestForm(PortalForm):
    """ "Talk to a manager" (R-32)."""

    reason = forms.CharField(
        label=_("What are you unhappy with?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "manager_%s")  # beside the other forms of the case page
        super().__init__(*args, **kwargs)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in STATES])
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class CaseFilterForm(forms.Form):
    """The case list's filters; every field optional."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("open", _("Open")),
            ("done", _("Resolved or closed")),
            ("all", _("All")),
            *STATUS_LABELS.items(),
        ],
    )
    severity = forms.TypedChoiceField(label=_("Severity"), required=False, coerce=int)
    q = forms.CharField(label=_("Number or subject"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", _("Any")), *severity_choices()]  # type: ignore[attr-defined]


# --- the new-case wizard: three steps, each a form; the earlier steps ride along hidden ------


class SupportStep(PortalForm):
    """Step 1: for whom, what kind of case, the Support ID and the version (R-2, R-22, R-24)."""

    title = _("Support ID and product")
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind of case"), widget=forms.RadioSelect, choices=list(KIND_LABELS.items())
    )
    support_id = forms.CharField(
        label=_("Support ID"),
        max_length=40,
        help_text=_("Printed in the product under Help → About, and on your license page."),
    )
    product_version = forms.CharField(
        label=_("Product version"),
        max_length=40,
        required=False,
        help_text=_("Such as 12.1. Required for a technical problem."),
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]  # type: ignore[attr-defined]


class ProblemStep(PortalForm):
    """Step 2: the problem (R-13, R-14, R-22)."""

    title = _("The problem")
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    proposed_severity = forms.TypedChoiceField(
        label=_("Severity you propose"), coerce=int, widget=forms.RadioSelect
    )
    business_impact = forms.CharField(
        label=_("Business impact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How the problem affects your system and business. Required for a technical problem."
        ),
        max_length=5000,
    )
    error_text = forms.CharField(
        label=_("Error message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )
    steps_to_reproduce = forms.CharField(
        label=_("Steps to reproduce"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )
    diagnostics = forms.CharField(
        label=_("Diagnostics already done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
    )
    known_workarounds = forms.CharField(
        label=_("Workarounds you know of"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
    )
    maintenance_level = forms.CharField(
        label=_("Patch or maintenance level"), required=False, max_length=100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = get_policy()
        self.fields["proposed_severity"].choices = [  # type: ignore[attr-defined]
            (n, _("Severity %(n)d: %(what)s") % {"n": n, "what": gettext(s.description)})
            for n, s in policy.severities.items()
        ]


class ContactStep(PortalForm):
    """Step 3: how to reach you (R-15, R-22)."""

    title = _("How to reach you")
    contact_email = forms.EmailField(label=_("E-mail address"))
    contact_phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        help_text=_("With the country code, such as +420 601 234 567."),
    )
    preferred_contact = forms.ChoiceField(
        label=_("Preferred way to reach you"),
        widget=forms.RadioSelect,
        choices=list(CONTACT_LABELS.items()),
        initial=ContactMethod.EMAIL,
    )
    best_time_to_reach = forms.CharField(
        label=_("Best time to reach you"), required=False, max_length=200
    )
    technical_contact_available = forms.BooleanField(
        label=_("A technical person is available to work with us now"), required=False
    )


STEPS: tuple[type[PortalForm], ...] = (SupportStep, ProblemStep, ContactStep)
