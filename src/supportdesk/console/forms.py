"""Forms of the console: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from supportdesk.cases.choices import (
    CaseStatus,
    ContactChannel,
    ContactOutcome,
    DiagnosticsKind,
    OutOfScope,
    ResolutionType,
    ThirdPartyAction,
)

YES_NO = (("", _("any")), ("yes", _("yes")), ("no", _("no")))


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class QueueFilterForm(forms.Form):
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    program = forms.ChoiceField(label=_("Program"), required=False)
    severity = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("any")),
            ("1", _("Severity 1")),
            ("2", _("Severity 2")),
            ("3", _("Severity 3")),
            ("4", _("Severity 4")),
        ],
        label=_("Severity"),
    )
    product = forms.ChoiceField(label=_("Product"), required=False)
    language = forms.CharField(label=_("Language"), required=False, max_length=35)
    breached = forms.TypedChoiceField(
        label=_("Breached"), required=False, choices=YES_NO, coerce=_yes_no, empty_value=None
    )
    waiting = forms.TypedChoiceField(
        required=False,
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        label=_("Waiting for customer"),
    )

    def __init__(
        self,
        *args: Any,
        queues: list[tuple[int, str]],
        programs: list[str],
        products: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", _("all my queues")), *queues]  # type: ignore[attr-defined]
        self.fields["program"].choices = [("", _("any")), *[(p, p.title()) for p in programs]]  # type: ignore[attr-defined]
        self.fields["product"].choices = [("", _("any")), *products]  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AssignForm(VersionForm):
    assignee = forms.IntegerField(required=False)
    note = forms.CharField(required=False, max_length=2000)


class EscalateForm(VersionForm):
    reason = forms.CharField(max_length=2000, required=False)


class TransitionForm(VersionForm):
    status = forms.ChoiceField(choices=CaseStatus.choices)


class CommentForm(VersionForm):
    body = forms.CharField(required=False, widget=forms.Textarea)
    internal = forms.BooleanField(required=False)


class SeverityForm(VersionForm):
    severity = forms.TypedChoiceField(coerce=int, choices=[(str(s), str(s)) for s in (1, 2, 3, 4)])
    reason = forms.CharField(required=False, max_length=2000)


class ManagerAnswerForm(forms.Form):
    answer = forms.CharField(required=False, widget=forms.Textarea, max_length=10000)
    resources_adjusted = forms.CharField(required=False, max_length=2000)


class ContactAttemptForm(VersionForm):
    channel = forms.ChoiceField(choices=ContactChannel.choices)
    outcome = forms.ChoiceField(choices=ContactOutcome.choices)
    note = forms.CharField(required=False, max_length=2000)


class DiagnosticsForm(VersionForm):
    kind = forms.ChoiceField(choices=DiagnosticsKind.choices)
    what = forms.CharField(required=False, max_length=2000)
    session_at = forms.DateTimeField(
        required=False, help_text=_("For a remote session: when, in your time zone.")
    )


class ThirdPartyForm(VersionForm):
    vendor = forms.CharField(required=False, max_length=200)
    action = forms.ChoiceField(choices=ThirdPartyAction.choices)
    product = forms.CharField(required=False, max_length=200)
    reference = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, max_length=2000)


class ResolveForm(VersionForm):
    type = forms.ChoiceField(choices=ResolutionType.choices)
    summary = forms.CharField(required=False, widget=forms.Textarea, max_length=10000)
    new_severity = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("unchanged")), *[(str(s), str(s)) for s in (1, 2, 3, 4)]],
    )
    out_of_scope_reason = forms.ChoiceField(
        required=False, choices=[("", _("not out of scope")), *OutOfScope.choices]
    )


def _choose(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ArticleFilterForm(forms.Form):
    """The knowledge-base list's filters: words (the search engine, ranked), status,
    language, category."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False)
    language = forms.CharField(required=False, max_length=35)
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]],
                 categories: list[tuple[int, str]], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        _choose(self, "status", [("", _("any")), *statuses])
        _choose(self, "category", [("", _("any")), *categories])


class ArticleForm(forms.Form):
    """An article or a translation as a writer edits it; the knowledge services check it
    (slug and language taken, visibility, status, version tags of the tagged products)."""

    slug = forms.SlugField(max_length=120)
    language = forms.CharField(max_length=35)
    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=300, required=False)
    body = forms.CharField(widget=forms.Textarea)
    category = forms.TypedChoiceField(coerce=int)
    products = forms.TypedMultipleChoiceField(coerce=int, required=False)
    versions = forms.TypedMultipleChoiceField(coerce=int, required=False)
    visibility = forms.ChoiceField()
    status = forms.ChoiceField()
    # the article's updated_at as the writer saw it (optimistic locking); empty when new
    expected_updated_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: list[tuple[int, str]],
                 products: list[tuple[int, str]], versions: list[tuple[int, str]],
                 visibilities: list[tuple[str, str]], statuses: list[tuple[str, str]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        _choose(self, "category", categories)
        _choose(self, "products", products)
        _choose(self, "versions", versions)
        _choose(self, "visibility", visibilities)
        _choose(self, "status", statuses)
