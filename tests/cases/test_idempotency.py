"""Idempotent opening (R-23, ADR 5): a retry with the same key and the same submission answers
the first case; the same key with another submission is refused naming the key, and writes
nothing. Under real concurrency on PostgreSQL here; over HTTP against a real server on SQLite
in tests/cases/test_idempotency_server.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from supportdesk.cases.models import Case
from tests.api.calls import error
from tests.api.test_cases_api import post_case
from tests.cases.test_concurrency import together
from tests.cases.test_services import AT, DETAILS, Customer, make_customer, open_case, state


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.mark.django_db
def test_the_same_key_with_another_submission_is_refused_naming_the_key(
    customer: Customer,
) -> None:
    first = open_case(customer, idempotency_key="k-1")
    before = (state(), DBTaskResult.objects.count())

    with pytest.raises(ValidationError) as refused:
        open_case(
            customer,
            idempotency_key="k-1",
            details=replace(DETAILS, subject="Restores fail too"),
            at=AT + timedelta(seconds=5),
        )

    assert refused.value.message_dict == {
        "idempotency_key": [
            f"Idempotency-Key 'k-1' was already used for another submission (case "
            f"{first.number}): a retry must send the same request again; a new case needs a "
            "new key."
        ]
    }
    assert (state(), DBTaskResult.objects.count()) == before
    # the refused submission had taken a number before its case was refused (the number is
    # taken before the opening's rows are made): it stays unused, and the next case's is
    # after it
    assert open_case(customer, idempotency_key="k-2").number == "C-2026-000003"


@pytest.mark.django_db
def test_every_part_of_the_submission_counts(customer: Customer) -> None:
    open_case(customer, idempotency_key="k-1")

    for changed in (
        {"details": replace(DETAILS, proposed_severity=2)},
        {"details": replace(DETAILS, contact_phone="030 7654321")},
        {"kind": "licensing"},
        {"support_id": "SID-AAAA-BBBB-CCCD"},
    ):
        with pytest.raises(ValidationError, match="Idempotency-Key 'k-1' was already used"):
            open_case(customer, idempotency_key="k-1", **changed)
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_gets_its_case_even_when_the_submission_would_be_refused_now(
    customer: Customer,
) -> None:
    first = open_case(customer, idempotency_key="k-1")
    customer.sid.revoked_at = AT + timedelta(minutes=1)
    customer.sid.save(update_fields=["revoked_at"])

    again = open_case(customer, idempotency_key="k-1", at=AT + timedelta(minutes=2))
    with pytest.raises(ValidationError, match="was revoked"):
        open_case(customer, idempotency_key="k-2", at=AT + timedelta(minutes=2))

    assert again.pk == first.pk
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_case_opened_before_fingerprints_were_kept_answers_any_retry(
    customer: Customer,
) -> None:
    first = open_case(customer, idempotency_key="k-1")
    Case.objects.filter(pk=first.pk).update(idempotency_fingerprint="")

    again = open_case(
        customer, idempotency_key="k-1", details=replace(DETAILS, subject="Something else")
    )

    assert again.pk == first.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_submissions_with_one_key_at_once_make_one_case_and_one_refusal() -> None:
    customer = make_customer()
    other = replace(DETAILS, subject="Restores fail too")

    results = together(
        lambda: open_case(customer, idempotency_key="k"),
        lambda: open_case(customer, idempotency_key="k", details=other),
    )

    (case,) = Case.objects.all()
    assert sorted(type(r).__name__ for r in results) == ["Case", "ValidationError"]
    (opened,) = [r for r in results if isinstance(r, Case)]
    (refused,) = [r for r in results if isinstance(r, ValidationError)]
    assert opened.pk == case.pk
    assert list(refused.message_dict) == ["idempotency_key"]


@pytest.mark.django_db
def test_over_http_the_refusal_names_the_header(customer: Customer, client: Client) -> None:
    client.force_login(customer.admin)

    status, case = post_case(client, customer, key="submit-1")
    again, same = post_case(client, customer, key="submit-1")
    refused, answer = post_case(client, customer, key="submit-1", subject="Restores fail too")

    assert (status, again, same) == (201, 201, case)
    assert (refused, answer) == (
        422,
        error(
            f"Idempotency-Key 'submit-1' was already used for another submission (case "
            f"{case['number']}): a retry must send the same request again; a new case needs a "
            "new key.",
            "Idempotency-Key",
        ),
    )
    assert Case.objects.count() == 1
