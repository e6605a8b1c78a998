"""The new-case wizard: three steps, the Support ID checked first with the entitlement shown,
refusals naming the field, the R-37 offer, and one case for a submission sent twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.cases.models import Case
from supportdesk.knowledge.models import Deflection, SuggestionShown
from tests.accounts.factories import member
from tests.cases.test_services import Customer, make_customer
from tests.knowledge.factories import ArticleFactory, DeflectionFactory

pytestmark = pytest.mark.django_db

STEP1 = {
    "organization": "",
    "kind": "technical",
    "support_id": "sid-aaaa-bbbb-cccc",
    "product_version": "12.1",
}
STEP2 = {
    "subject": "Backups fail",
    "description": "Every job fails at 3 a.m.",
    "proposed_severity": "2",
    "business_impact": "No backups of the file servers.",
    "error_text": "",
    "steps_to_reproduce": "",
    "diagnostics": "",
    "known_workarounds": "",
    "maintenance_level": "",
}
STEP3 = {
    "contact_email": "ops@acme.example",
    "contact_phone": "+49 30 1234567",
    "preferred_contact": "phone",
    "best_time_to_reach": "mornings",
    "technical_contact_available": "on",
}


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def post(client: Client, step: int, key: str = "key-0123456789", **data: Any) -> Any:
    return client.post("/cases/new/", {"step": step, "idempotency_key": key, **data})


def test_the_wizard_opens_a_case_in_three_steps(client: Client, customer: Customer) -> None:
    client.force_login(customer.admin)
    org = str(customer.org.pk)
    start = client.get("/cases/new/")
    one = post(client, 1, **{**STEP1, "organization": org})
    two = post(client, 2, **{**STEP1, "organization": org}, **STEP2)
    three = post(client, 3, **{**STEP1, "organization": org}, **STEP2, **STEP3)

    assert start.status_code == 200
    assert "Step 1 of 3: Support ID and product" in start.content.decode()
    page = one.content.decode()
    assert one.status_code == 200
    assert "Step 2 of 3: The problem" in page
    # the entitlement, shown before the problem is typed in
    assert "Support ID SID-AAAA-BBBB-CCCC: Backup &amp; Replication" in page
    assert 'class="badge badge-production">Production<' in page
    # step 1's answers ride along, hidden
    assert '<input type="hidden" name="support_id" value="sid-aaaa-bbbb-cccc">' in page
    assert "Step 3 of 3: How to reach you" in two.content.decode()
    assert three.status_code == 302
    case = Case.objects.get()
    assert three["Location"] == f"/cases/{case.number}/"
    assert (case.kind, case.subject, case.proposed_severity, case.contact_phone) == (
        "technical",
        "Backups fail",
        2,
        "+49301234567",
    )
    assert (case.preferred_contact, case.technical_contact_available) == ("phone", True)
    assert (case.product_version.version, case.idempotency_key) == ("12.1", "key-0123456789")  # type: ignore[union-attr]


def test_the_same_submission_twice_opens_one_case(client: Client, customer: Customer) -> None:
    client.force_login(customer.admin)
    data = {**STEP1, "organization": str(customer.org.pk), **STEP2, **STEP3}

    first = post(client, 3, **data)
    again = post(client, 3, **data)

    assert Case.objects.count() == 1
    assert first["Location"] == again["Location"] == f"/cases/{Case.objects.get().number}/"


def test_an_unknown_support_id_is_refused_naming_the_field(
    client: Client, customer: Customer
) -> None:
    client.force_login(customer.admin)

    response = post(
        client, 1, **{**STEP1, "organization": str(customer.org.pk), "support_id": "SID-ZZZZ"}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "Step 1 of 3" in html
    assert (
        f'id="id_support_id-error" role="alert"><p>This is not a Support ID of {customer.org}'
        in html
    )
    assert Case.objects.count() == 0


def test_a_version_past_end_of_support_gets_the_offer_of_r37(
    client: Client, customer: Customer
) -> None:
    client.force_login(customer.admin)

    response = post(
        client, 1, **{**STEP1, "organization": str(customer.org.pk), "product_version": "9.5"}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_product_version-error"' in html
    assert "upgrade to a supported version; the known workarounds and existing fixes stay" in html


def test_missing_problem_fields_are_named_on_their_step(client: Client, customer: Customer) -> None:
    client.force_login(customer.admin)
    data = {**STEP1, "organization": str(customer.org.pk), **STEP2, "subject": ""}

    missing = post(client, 2, **data)
    no_impact = post(client, 3, **{**data, "subject": "x", "business_impact": ""}, **STEP3)
    bad_phone = post(client, 3, **{**data, "subject": "x"}, **{**STEP3, "contact_phone": "12"})

    assert missing.status_code == 422
    assert "Step 2 of 3" in missing.content.decode()
    assert 'id="id_subject-error"' in missing.content.decode()
    # the service's refusals land on the step that asks for the field
    assert no_impact.status_code == 422
    assert "Step 2 of 3" in no_impact.content.decode()
    assert 'id="id_business_impact-error"' in no_impact.content.decode()
    assert bad_phone.status_code == 422
    assert "Step 3 of 3" in bad_phone.content.decode()
    assert "is not a valid phone number" in bad_phone.content.decode()
    assert Case.objects.count() == 0


def test_back_keeps_what_was_typed(client: Client, customer: Customer) -> None:
    client.force_login(customer.admin)
    data = {**STEP1, "organization": str(customer.org.pk), **STEP2, **STEP3}

    back = client.post(
        "/cases/new/", {"step": 3, "go": "back", "idempotency_key": "k" * 10, **data}
    )

    html = back.content.decode()
    assert "Step 2 of 3" in html
    assert 'value="Backups fail"' in html
    assert '<input type="hidden" name="contact_email" value="ops@acme.example">' in html
    assert 'name="idempotency_key" value="kkkkkkkkkk"' in html


def test_people_who_may_not_open_cases_are_told_why(client: Client, customer: Customer) -> None:
    client.force_login(member(customer.org, "member"))

    response = client.get("/cases/new/")

    assert response.status_code == 403
    assert "Only your organization's license or case administrators" in response.content.decode()


def test_the_problem_step_suggests_articles_and_the_case_ends_the_session(
    client: Client, customer: Customer
) -> None:
    article = ArticleFactory.create(title="Backups fail after an upgrade", body="Rescan.")
    client.force_login(customer.admin)
    data = {**STEP1, "organization": str(customer.org.pk)}

    step2 = post(client, 1, **data).content.decode()
    suggested = client.post(
        "/kb/suggest/", {**data, "subject": "Backups fail", "description": "", "step": "2"}
    )
    deflection = Deflection.objects.get()
    step3 = post(client, 2, **data, **STEP2, deflection=str(deflection.pk)).content.decode()
    done = post(client, 3, **data, **STEP2, **STEP3, deflection=str(deflection.pk))

    # the suggestions follow what is typed, through the knowledge base's own search
    assert 'id="kb-suggestions"' in step2
    assert 'hx-post="/kb/suggest/"' in step2
    assert "from:#id_subject" in step2
    assert "from:#id_description" in step2
    assert "Backups fail after an upgrade" in suggested.content.decode()
    assert SuggestionShown.objects.get(deflection=deflection).article == article
    # the session rides along to the last step, which opens the case all the same
    assert f'<input type="hidden" name="deflection" value="{deflection.pk}">' in step3
    assert done.status_code == 302
    deflection.refresh_from_db()
    assert (deflection.outcome, deflection.case) == ("case_opened", Case.objects.get())


def test_a_session_answered_by_an_article_opens_no_case(client: Client, customer: Customer) -> None:
    article = ArticleFactory.create(title="Backups fail after an upgrade", body="Rescan.")
    client.force_login(customer.admin)
    data = {**STEP1, "organization": str(customer.org.pk), **STEP2}
    client.post("/kb/suggest/", {**data, "step": "2"})
    deflection = Deflection.objects.get()

    # "This answered my question" submits the wizard's form to the session's end
    solved = client.post(
        f"/kb/sessions/{deflection.pk}/solved/",
        {**data, "step": "2", "deflection": deflection.pk, "article": article.pk},
    )

    assert solved.status_code == 200
    assert "no case was opened" in solved.content.decode()
    deflection.refresh_from_db()
    assert (deflection.outcome, deflection.resolved_by, deflection.case) == (
        "deflected",
        article,
        None,
    )
    assert Case.objects.count() == 0


def test_someone_else_s_session_is_not_linked_to_the_case(
    client: Client, customer: Customer
) -> None:
    theirs = DeflectionFactory.create()
    client.force_login(customer.admin)

    data = {**STEP1, "organization": str(customer.org.pk), **STEP2, **STEP3}

    done = post(client, 3, **data, deflection=str(theirs.pk))

    assert done.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.outcome, theirs.case) == ("pending", None)
