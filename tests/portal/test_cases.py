"""The portal's case pages: home, list, a case, reply, severity request, status (R-3, R-14,
R-16). Exact values on the page; a refused request changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, Comment, ManagerRequest, SeverityChange
from supportdesk.surveys.models import Survey
from supportdesk.surveys.services import survey_invite
from tests.accounts.factories import StaffFactory, member
from tests.attachments.factories import AttachmentFactory
from tests.cases.factories import CaseFactory, CommentFactory
from tests.cases.test_services import Customer, make_customer, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    c = make_customer()
    c.admin.time_zone = "Asia/Tokyo"
    c.admin.save(update_fields=["time_zone"])
    return c


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _due(case: Case, tz: str) -> str:
    assert case.first_response_due_at is not None
    return date_format(case.first_response_due_at.astimezone(ZoneInfo(tz)), "DATETIME_FORMAT")


def test_home_lists_the_open_cases_with_their_due_time_in_the_viewers_zone(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    done = open_case(customer, at=timezone.now(), idempotency_key="second-one")
    Case.objects.filter(pk=done.pk).update(status="closed")
    other = CaseFactory.create(subject="Someone else's")

    page = signed_in(client, customer.admin).get("/")

    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/cases/{case.number}/"' in html
    assert done.number not in html
    assert other.number not in html
    assert "1 open case" in _text(html)
    assert f"due by {_due(case, 'Asia/Tokyo')}" in _text(html)
    assert "Times are in your time zone, Asia/Tokyo." in _text(html)
    assert 'href="/cases/new/"' in html


def test_the_case_page_shows_the_clock_the_explanation_and_public_comments_only(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    CommentFactory.create(case=case, body="Please send the logs.", author=StaffFactory.create())
    CommentFactory.create(case=case, body="Looks like bug 4711.", internal=True)

    page = signed_in(client, customer.admin).get(f"/cases/{case.number}/")

    text = _text(page.content.decode())
    assert page.status_code == 200
    assert f"First response due by {_due(case, 'Asia/Tokyo')} (Asia/Tokyo, your time)" in text
    assert case.first_response_reasons
    for reason in case.first_response_reasons:
        assert _text(reason) in text.replace("&#x27;", "'")
    assert "Please send the logs." in text
    assert "bug 4711" not in text
    assert "New" in text
    assert "Severity 3" in text
    # the customer may withdraw a new case; the other moves are support's
    assert "Withdraw and close the case" in text
    assert "Confirm the resolution" not in text


def test_a_case_of_another_organization_is_not_found(client: Client, customer: Customer) -> None:
    other = CaseFactory.create()
    client = signed_in(client, customer.admin)

    assert client.get(f"/cases/{other.number}/").status_code == 404
    assert (
        client.post(
            f"/cases/{other.number}/comments/", {"body": "hi", "expected_version": 1}
        ).status_code
        == 404
    )
    assert Comment.objects.count() == 0


def test_a_reply_is_added_and_audited(client: Client, customer: Customer) -> None:
    case = open_case(customer, at=timezone.now())
    client = signed_in(client, customer.admin)

    response = client.post(
        f"/cases/{case.number}/comments/",
        {"body": "  Logs are attached.  ", "expected_version": case.version},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/#comments"
    comment = Comment.objects.get()
    assert (comment.body, comment.internal, comment.author) == (
        "Logs are attached.",
        False,
        customer.admin,
    )
    assert AuditEvent.objects.filter(action="case.comment").count() == 1
    page = client.get(response["Location"])
    assert "Your reply is on the case." in page.content.decode()
    assert "Logs are attached." in page.content.decode()


def test_a_reply_to_a_stale_version_is_a_conflict_and_adds_nothing(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())

    response = signed_in(client, customer.admin).post(
        f"/cases/{case.number}/comments/", {"body": "Hello", "expected_version": 7}
    )

    assert response.status_code == 409
    assert "Someone changed this case meanwhile" in response.content.decode()
    assert Comment.objects.count() == 0


def test_an_empty_reply_names_the_field(client: Client, customer: Customer) -> None:
    case = open_case(customer, at=timezone.now())

    response = signed_in(client, customer.admin).post(
        f"/cases/{case.number}/comments/", {"body": "", "expected_version": case.version}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_body-error"' in html
    assert 'aria-invalid="true"' in html
    assert Comment.objects.count() == 0


def test_a_member_who_may_not_open_cases_reads_but_cannot_write(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    reader = member(customer.org, "member")
    client = signed_in(client, reader)

    page = client.get(f"/cases/{case.number}/")
    refused = client.post(
        f"/cases/{case.number}/comments/", {"body": "Hi", "expected_version": case.version}
    )

    assert page.status_code == 200
    assert "Send reply" not in page.content.decode()
    assert refused.status_code == 403
    assert Comment.objects.count() == 0


def test_asking_for_another_severity_records_the_request(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    client = signed_in(client, customer.admin)

    missing = client.post(
        f"/cases/{case.number}/severity/",
        {"severity": 1, "reason": "", "expected_version": case.version},
    )
    asked = client.post(
        f"/cases/{case.number}/severity/",
        {"severity": 1, "reason": "Production is down now.", "expected_version": case.version},
    )

    assert missing.status_code == 422
    assert 'id="severity_reason-error"' in missing.content.decode()
    assert asked.status_code == 302
    case.refresh_from_db()
    assert (case.severity, case.requested_severity) == (3, 1)
    change = SeverityChange.objects.get(kind="requested")
    assert (change.to_severity, change.reason) == (1, "Production is down now.")
    assert "Severity 1 requested" in client.get(f"/cases/{case.number}/").content.decode()


def test_the_customer_confirms_a_resolution_and_closes_the_case(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    Case.objects.filter(pk=case.pk).update(status="resolved")
    client = signed_in(client, customer.admin)

    page = client.get(f"/cases/{case.number}/")
    closed = client.post(
        f"/cases/{case.number}/status/", {"status": "closed", "expected_version": 1}
    )

    assert "Confirm the resolution and close the case" in page.content.decode()
    assert "Reopen: the problem is back" in page.content.decode()
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert AuditEvent.objects.filter(action="case.transition").count() == 1


def test_a_move_the_state_machine_does_not_list_is_refused(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())

    response = signed_in(client, customer.admin).post(
        f"/cases/{case.number}/status/", {"status": "resolved", "expected_version": 1}
    )

    assert response.status_code == 422
    assert "customer cannot move a case from new to resolved" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version) == ("new", 1)


def test_the_case_list_filters_and_pages(client: Client, customer: Customer) -> None:
    start = timezone.now() - timedelta(days=30)
    for i in range(23):
        CaseFactory.create(
            organization=customer.org,
            subject=f"Problem {i:02d}",
            severity=2 if i % 2 else 3,
            status="closed" if i == 0 else "new",
            opened_at=start + timedelta(hours=i),
        )
    client = signed_in(client, customer.admin)

    first = _text(client.get("/cases/").content.decode())
    second = _text(client.get("/cases/?page=2").content.decode())
    everything = _text(client.get("/cases/?state=all&page=2").content.decode())
    sev2 = _text(client.get("/cases/?state=open&severity=2").content.decode())
    words = _text(client.get("/cases/?state=all&q=problem+00").content.decode())
    bad = client.get("/cases/?severity=9")

    # 22 open cases, newest first: 20 on the first page, 2 on the second
    assert "Problem 22" in first
    assert "Problem 03" in first
    assert "Problem 02" not in first
    assert "Page 1 of 2" in first
    assert "Problem 02" in second
    assert "Problem 01" in second
    assert "Problem 00" not in second
    assert "Problem 00" in everything
    assert sev2.count("Problem ") == 11
    assert words.count("Problem ") == 1
    assert "Problem 00" in words
    assert bad.status_code == 422


# --- log files, talk to a manager, the survey (R-3, R-32, R-34) -------------------------------


def test_the_case_page_lists_the_log_files_and_offers_the_resumable_upload(
    client: Client, customer: Customer, settings: Any
) -> None:
    settings.SUPPORTDESK_PORTAL_UPLOAD_CHUNK_BYTES = 1_048_576
    case = open_case(customer, at=timezone.now())
    AttachmentFactory.create(case=case, filename="vbr-logs.zip", size=2048)
    AttachmentFactory.create(case=CaseFactory.create(), filename="theirs.zip")

    html = signed_in(client, customer.admin).get(f"/cases/{case.number}/").content.decode()

    assert "vbr-logs.zip" in html
    assert "theirs.zip" not in html
    assert "2.0\xa0KB" in html
    assert f'data-upload-url="/api/v1/cases/{case.number}/uploads"' in html
    assert 'data-chunk-bytes="1048576"' in html
    assert '<script src="/static/portal/upload.js" defer></script>' in html


def test_a_member_who_may_not_work_the_case_is_offered_no_upload(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())

    html = signed_in(client, member(customer.org, "member")).get(f"/cases/{case.number}/")

    assert "data-upload-url" not in html.content.decode()
    assert "Talk to a manager" not in html.content.decode()


def test_talk_to_a_manager_queues_the_request_and_shows_it(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())
    client = signed_in(client, customer.admin)

    asked = client.post(f"/cases/{case.number}/manager/", {"reason": "No answer for days."})
    again = client.post(f"/cases/{case.number}/manager/", {"reason": "Still nothing."})
    page = client.get(f"/cases/{case.number}/").content.decode()

    assert asked.status_code == 302
    assert asked["Location"] == f"/cases/{case.number}/#manager"
    (request,) = ManagerRequest.objects.all()
    assert (request.reason, request.status, request.requested_by) == (
        "No answer for days.",
        "open",
        customer.admin,
    )
    assert AuditEvent.objects.filter(action="case.manager_request").count() == 1
    # one open request at a time: the refusal names the field
    assert again.status_code == 422
    assert 'id="manager_reason-error"' in again.content.decode()
    assert "A manager has yet to answer the open request" in again.content.decode()
    assert "Waiting for a support manager" in page


def test_an_empty_manager_request_names_the_field_and_changes_nothing(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer, at=timezone.now())

    response = signed_in(client, customer.admin).post(
        f"/cases/{case.number}/manager/", {"reason": "  "}
    )

    assert response.status_code == 422
    assert 'id="manager_reason-error"' in response.content.decode()
    assert ManagerRequest.objects.count() == 0


def _closed_with_survey(customer: Customer) -> Case:
    case = open_case(customer, at=timezone.now())
    Case.objects.filter(pk=case.pk).update(status="closed", contact_email=customer.admin.email)
    case.refresh_from_db()
    survey_invite(case=case, at=timezone.now())
    return case


def test_a_closed_case_links_its_survey_for_its_contact(client: Client, customer: Customer) -> None:
    case = _closed_with_survey(customer)
    colleague = member(customer.org, "case_admin", email="other@acme.example")

    mine = signed_in(client, customer.admin).get(f"/cases/{case.number}/").content.decode()
    theirs = signed_in(Client(), colleague).get(f"/cases/{case.number}/").content.decode()

    assert f'href="/cases/{case.number}/survey/"' in mine
    assert "survey/" not in theirs


def test_the_signed_in_contact_answers_the_survey_once(client: Client, customer: Customer) -> None:
    case = _closed_with_survey(customer)
    client = signed_in(client, customer.admin)
    answers = {"resolution": "5", "professionalism": "4", "knowledge": "4", "overall": "5"}

    form = client.get(f"/cases/{case.number}/survey/")
    missing = client.post(f"/cases/{case.number}/survey/", {**answers, "overall": ""})
    sent = client.post(f"/cases/{case.number}/survey/", {**answers, "comment": "Quick."})
    again = client.get(f"/cases/{case.number}/survey/")

    assert form.status_code == 200
    assert missing.status_code == 422
    assert sent.status_code == 200
    assert "your answers are recorded" in sent.content.decode()
    survey = Survey.objects.get()
    assert (survey.resolution, survey.overall, survey.comment) == (5, 5, "Quick.")
    assert again.status_code == 410
    assert "Thank you for answering" in client.get(f"/cases/{case.number}/").content.decode()


def test_no_survey_of_the_person_is_not_found(client: Client, customer: Customer) -> None:
    case = _closed_with_survey(customer)
    colleague = member(customer.org, "case_admin", email="other@acme.example")
    foreign = CaseFactory.create()

    theirs = signed_in(client, colleague).get(f"/cases/{case.number}/survey/")
    client = signed_in(Client(), customer.admin)
    other_org = client.get(f"/cases/{foreign.number}/survey/")

    assert (theirs.status_code, other_org.status_code) == (404, 404)
    assert Survey.objects.get().answered_at is None
