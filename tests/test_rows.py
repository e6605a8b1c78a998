"""Rows written and read with SQL made once per process: what they write and read is what
the ORM writes and reads (supportdesk.rows, used on the path that opens a case)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk import rows
from supportdesk.accounts.models import Organization, User
from supportdesk.audit.models import AuditEvent
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import OrganizationFactory, PdmFactory, PersonFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 3, 9, 30, 15, 123456, tzinfo=UTC)


def mail(dedup_key: str | int, message_id: str = "<a@example.com>") -> OutboundMail:
    return OutboundMail(
        kind="case_confirmation",
        to_address="nora@example.com",
        subject="Case C-2026-000001",
        body="Your case",
        dedup_key=dedup_key,
        message_id=message_id,
        next_attempt_at=AT,
        created_at=AT,
    )


def test_an_insert_writes_what_save_writes_and_takes_the_new_key() -> None:
    actor = PersonFactory.create()
    event = AuditEvent(
        at=AT,
        actor=actor,
        action="case.open",
        target_type="cases.case",
        target_id="7",
        target_repr="C-2026-000007",
        changes={"severity": [None, 2], "reasons": ["a", "b"]},
    )
    with CaptureQueriesContext(connection) as captured:
        assert rows.insert(event) is True
    assert len(captured.captured_queries) == 1
    assert event.pk is not None
    assert not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.at, stored.actor_id, stored.action) == (AT, actor.pk, "case.open")
    assert stored.changes == {"severity": [None, 2], "reasons": ["a", "b"]}
    with pytest.raises(ValueError, match="already written"):
        rows.insert(event)


def test_a_value_not_of_the_fields_own_type_is_prepared_as_save_prepares_it() -> None:
    written = mail(dedup_key=12345)  # an int for a text field: the field makes it "12345"
    rows.insert(written)
    assert OutboundMail.objects.get(pk=written.pk).dedup_key == "12345"


def test_an_empty_time_is_written_as_null_and_a_set_one_as_its_instant() -> None:
    written = mail(dedup_key="times")
    written.lease_until = None
    written.sent_at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    rows.insert(written)
    stored = OutboundMail.objects.get(pk=written.pk)
    assert (stored.lease_until, stored.sent_at, stored.created_at) == (None, written.sent_at, AT)
    assert OutboundMail.objects.filter(pk=written.pk, lease_until__isnull=True).exists()


def test_a_time_set_on_save_goes_through_its_field_even_when_empty() -> None:
    # auto_now and auto_now_add set the value in pre_save: their None is not written as it is
    assert rows._none_plain(models.DateTimeField(null=True)) is True
    assert rows._none_plain(models.DateField(null=True)) is True
    assert rows._none_plain(models.DateTimeField(auto_now_add=True)) is False
    assert rows._none_plain(models.DateField(auto_now=True)) is False
    assert rows._none_plain(models.JSONField(null=True)) is False


def test_a_row_refused_by_a_unique_constraint_leaves_the_transaction_usable() -> None:
    rows.insert(mail(dedup_key="case:1:confirmation"))
    with transaction.atomic():
        again = mail(dedup_key="case:1:confirmation", message_id="<b@example.com>")
        assert rows.insert(again, ignore_conflicts=True) is False
        assert again.pk is None
        assert again._state.adding
        # no savepoint was needed: the transaction goes on (PostgreSQL would refuse otherwise)
        assert OutboundMail.objects.count() == 1
        assert rows.insert(mail(dedup_key="case:2:confirmation", message_id="<c@example.com>"))
    assert OutboundMail.objects.count() == 2


def test_insert_all_writes_every_row_in_one_statement() -> None:
    from django_tasks_db.models import DBTaskResult

    from supportdesk.notifications.tasks import mail_deliver

    def task(n: int) -> DBTaskResult:
        return DBTaskResult(
            id=mail_deliver.get_backend()._get_id(),  # type: ignore[attr-defined]
            args_kwargs={"args": [n], "kwargs": {}},
            priority=0,
            task_path=mail_deliver.module_path,
            queue_name="default",
            run_after=AT,
            backend_name="default",
        )

    with CaptureQueriesContext(connection) as captured:
        rows.insert_all([task(1), task(2), task(3)])
    # (on SQLite the test's transaction may begin with it: BEGIN IMMEDIATE)
    assert [q for q in captured.captured_queries if not q["sql"].startswith("BEGIN")] == [
        captured.captured_queries[-1]
    ]
    assert captured.captured_queries[-1]["sql"].startswith("INSERT")
    assert sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()) == [1, 2, 3]


# an organization with its PDM (None when it has none)
ORG_AND_PDM = ((Organization, "o"), (User, "p"))
ORG_AND_PDM_REST = (
    f'FROM "{Organization._meta.db_table}" o '
    f'LEFT JOIN "{User._meta.db_table}" p ON p."id" = o."pdm_id" WHERE o."id" = %s'
)


def test_select_answers_instances_converted_as_the_orm_converts_them() -> None:
    pdm = PdmFactory.create(last_login=AT)
    with_pdm = OrganizationFactory.create(pdm=pdm)
    without = OrganizationFactory.create(pdm=None)
    parts, rest = ORG_AND_PDM, ORG_AND_PDM_REST
    [[org, user]] = rows.select(parts, rest, [with_pdm.pk])
    assert isinstance(org, Organization)
    assert org.pk == with_pdm.pk
    assert org.name == with_pdm.name
    assert org.kind == with_pdm.kind
    assert isinstance(user, User)
    assert user.pk == pdm.pk
    assert user.last_login == AT  # an aware datetime, as the ORM reads it
    assert user.is_staff is True  # a bool, not SQLite's 1
    assert not org._state.adding
    assert org._state.db == "default"
    [[other, nobody]] = rows.select(parts, rest, [without.pk])
    assert other.pk == without.pk
    assert nobody is None
    assert rows.select(parts, rest, [without.pk + with_pdm.pk + 1000]) == []


def test_select_makes_the_instances_the_orm_makes() -> None:
    pdm = PdmFactory.create(last_login=AT)
    org = OrganizationFactory.create(pdm=pdm)
    [[read, user]] = rows.select(ORG_AND_PDM, ORG_AND_PDM_REST, [org.pk])
    # both made by storing their rows' values, not through Model.__init__
    assert None not in (rows._plain_attnames(Organization), rows._plain_attnames(User))
    for made, orm in (
        (read, Organization.objects.get(pk=org.pk)),
        (user, User.objects.get(pk=pdm.pk)),
    ):
        assert type(made) is type(orm)
        fields = {k: v for k, v in vars(made).items() if k != "_state"}
        assert fields == {k: v for k, v in vars(orm).items() if k != "_state"}
        assert list(fields) == [f.attname for f in type(orm)._meta.concrete_fields]
        assert (made._state.adding, made._state.db) == (False, "default")
    # an instance as any other: its key's object read on demand, changed and saved
    assert read.pdm == pdm
    read.name = "Renamed"
    read.save(update_fields=["name"])
    assert Organization.objects.get(pk=org.pk).name == "Renamed"


def test_select_makes_instances_through_init_while_someone_listens() -> None:
    from django.db.models.signals import post_init

    org = OrganizationFactory.create()
    heard: list[int] = []

    def listen(sender: object, instance: Organization, **kwargs: object) -> None:
        heard.append(instance.pk)

    parts = ((Organization, "o"),)
    rest = f'FROM "{Organization._meta.db_table}" o WHERE o."id" = %s'
    post_init.connect(listen, sender=Organization)
    try:
        [[found]] = rows.select(parts, rest, [org.pk])
    finally:
        post_init.disconnect(listen, sender=Organization)
    assert heard == [org.pk]
    assert found.pk == org.pk
    rows.select(parts, rest, [org.pk])
    assert heard == [org.pk]  # not listening any more


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_each_statement_is_prepared_once_per_connection() -> None:
    org = OrganizationFactory.create()
    parts = ((Organization, "o"),)
    rest = f'FROM "{Organization._meta.db_table}" o WHERE o."id" = %s'
    for _ in range(3):
        [[found]] = rows.select(parts, rest, [org.pk])
        assert found.pk == org.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f'%FROM "{Organization._meta.db_table}" o WHERE o."id" = $1%'],
        )
        assert cursor.fetchone() == (1,)


def audit_event(actor: User, n: int) -> AuditEvent:
    return AuditEvent(
        at=AT,
        actor=actor,
        action="case.open",
        target_type="cases.case",
        target_id=str(n),
        target_repr=f"C-2026-{n:06d}",
        changes={},
    )


ON_POSTGRESQL = connection.vendor == "postgresql"


def test_rows_inserted_in_a_pipeline_have_their_keys_at_its_end() -> None:
    actor = PersonFactory.create()
    with transaction.atomic(), rows.pipelined():
        first, second = audit_event(actor, 1), audit_event(actor, 2)
        rows.insert(first, key_later=True)
        rows.insert(second, key_later=True)
        # no answer was awaited yet (on SQLite the statements are not even run): the keys
        # come at the block's end, or when a statement that waits for its answer runs
        assert first.pk is None
        now = audit_event(actor, 3)
        rows.insert(now)  # not key_later: its key is awaited
        assert now.pk is not None
        if not ON_POSTGRESQL:  # the ones held back ran before it, in their order
            assert None not in (first.pk, second.pk)
            assert first.pk < second.pk < now.pk
        written = mail(dedup_key="case:1:confirmation")
        assert rows.insert(written, ignore_conflicts=True) is True
        assert written.pk is not None  # an answer read: whether the row was written
        again = mail(dedup_key="case:1:confirmation", message_id="<b@example.com>")
        assert rows.insert(again, ignore_conflicts=True) is False
        [[read]] = rows.select(
            ((OutboundMail, "m"),),
            f'FROM "{OutboundMail._meta.db_table}" m WHERE m."id" = %s',
            [written.pk],
        )
        assert read.dedup_key == "case:1:confirmation"
    assert first.pk is not None
    assert second.pk not in (None, first.pk)
    assert AuditEvent.objects.get(pk=first.pk).target_id == "1"
    assert AuditEvent.objects.get(pk=second.pk).target_id == "2"
    assert AuditEvent.objects.get(pk=now.pk).target_id == "3"
    assert OutboundMail.objects.count() == 1


def test_a_key_taken_before_its_row_is_given_to_no_other_row() -> None:
    actor = PersonFactory.create()
    with transaction.atomic():  # on SQLite taking it writes: inside a transaction
        taken = rows.reserve_key(AuditEvent)
        again = rows.reserve_key(AuditEvent)
    assert again > taken
    made = audit_event(actor, 1)
    rows.insert(made)  # its key made by the database, after the ones taken
    assert made.pk > again
    reserved = audit_event(actor, 2)
    reserved.pk = taken
    rows.insert(reserved)
    assert AuditEvent.objects.get(pk=taken).target_id == "2"
    assert AuditEvent.objects.count() == 2  # the key taken and not used stays unused


def test_no_key_is_taken_for_a_table_whose_keys_the_database_does_not_count() -> None:
    from django_tasks_db.models import DBTaskResult  # its keys are UUIDs, made in Python

    with pytest.raises(ValueError, match="django_tasks_database_dbtaskresult"):
        rows.reserve_key(DBTaskResult)


def test_a_statement_refused_in_a_pipeline_rolls_its_transaction_back() -> None:
    from django.db import IntegrityError

    actor = PersonFactory.create()
    rows.insert(mail(dedup_key="", message_id="<taken@example.com>"))

    @transaction.atomic
    def refused() -> None:
        with rows.pipelined():
            rows.insert(audit_event(actor, 1), key_later=True)
            # unique: refused, the answer read at the block's end
            rows.insert(mail(dedup_key="", message_id="<taken@example.com>"), key_later=True)
            rows.insert(audit_event(actor, 2), key_later=True)

    with pytest.raises(IntegrityError):
        refused()
    assert not AuditEvent.objects.filter(target_type="cases.case").exists()
    assert OutboundMail.objects.count() == 1
    # the connection is usable again, pipelined or not
    with transaction.atomic(), rows.pipelined():
        event = audit_event(actor, 3)
        rows.insert(event, key_later=True)
    assert AuditEvent.objects.get(pk=event.pk).target_id == "3"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="psycopg's conversion of a statement")
def test_a_statement_of_over_50_parameters_is_converted_once_and_bound_afresh() -> None:
    from django_tasks_db.models import DBTaskResult

    from supportdesk.notifications.tasks import mail_deliver

    def task(n: int) -> DBTaskResult:
        return DBTaskResult(
            id=mail_deliver.get_backend()._get_id(),  # type: ignore[attr-defined]
            args_kwargs={"args": [n], "kwargs": {}},
            priority=n,
            task_path=mail_deliver.module_path,
            queue_name="default",
            run_after=AT,
            backend_name="default",
        )

    rows._converted.clear()
    rows.insert_all([task(n) for n in range(1, 6)])
    [(text, _)] = rows._converted
    assert text.count("%s") > 50  # more than psycopg keeps conversions of
    rows.insert_all([task(n) for n in range(11, 16)])
    assert len(rows._converted) == 1
    stored = {(r.args_kwargs["args"][0], r.priority) for r in DBTaskResult.objects.all()}
    assert stored == {(n, n) for n in [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]}


def organizations_rest() -> str:
    return f'FROM "{Organization._meta.db_table}" o WHERE o."id" = %s'


def test_select_together_answers_each_statement_as_select_answers_it() -> None:
    first, second = OrganizationFactory.create(), OrganizationFactory.create()
    parts = ((Organization, "o"),)
    pdms = ((User, "u"),)
    users = f'FROM "{User._meta.db_table}" u WHERE u."id" = %s'
    pdm = PdmFactory.create()
    one, two, nobody, three = rows.select_together(
        (parts, organizations_rest(), [first.pk]),
        (parts, organizations_rest(), [second.pk]),
        (parts, organizations_rest(), [first.pk + second.pk + 1000]),
        (pdms, users, [pdm.pk]),
    )
    assert [[o.pk for o in row] for row in one] == [[first.pk]]
    assert [[o.pk for o in row] for row in two] == [[second.pk]]
    assert nobody == []
    assert three[0][0].username == pdm.username
    assert three[0][0].is_staff is True


def test_a_statement_taken_along_goes_with_the_next_reads_on_postgresql() -> None:
    org = OrganizationFactory.create(name="Acme")
    marked = rows.Along(
        f'UPDATE "{Organization._meta.db_table}" SET "name" = "name" || %s '
        'WHERE "id" = %s RETURNING "name"',
        ["+", org.pk],
    )
    with rows.along(marked):
        [[read]] = rows.select(((Organization, "o"),), organizations_rest(), [org.pk])
        # on PostgreSQL it went with that read (after it: the read saw the old name);
        # elsewhere nothing took it yet
        assert marked.answered is ON_POSTGRESQL
        [[again]] = rows.select(((Organization, "o"),), organizations_rest(), [org.pk])
        assert again.name == ("Acme+" if ON_POSTGRESQL else "Acme")  # not sent again
    assert read.name == "Acme"
    assert marked.rows() == [("Acme+",)]
    assert marked.rows() == [("Acme+",)]  # run once, whoever asks again
    assert Organization.objects.get(pk=org.pk).name == "Acme+"


def test_a_statement_no_read_takes_along_runs_on_its_own() -> None:
    bumped = rows.Along("SELECT %s + 1", [41])
    with rows.along(bumped):
        pass
    assert bumped.answered is False
    assert bumped.rows() == [(42,)]


def test_a_part_repeated_on_the_next_row_is_the_same_instance() -> None:
    first, second = OrganizationFactory.create(), OrganizationFactory.create()
    found = rows.select(
        ((Organization, "o"),),
        f'FROM "{Organization._meta.db_table}" o, (SELECT 1 AS n UNION ALL SELECT 2) x '
        'WHERE o."id" IN (%s, %s) ORDER BY o."id", x.n',
        [first.pk, second.pk],
        extra="x.n",
    )
    assert [(org.pk, n) for org, n in found] == [
        (first.pk, 1),
        (first.pk, 2),
        (second.pk, 1),
        (second.pk, 2),
    ]
    assert found[0][0] is found[1][0]  # one license's lines: one license
    assert found[2][0] is found[3][0]
    assert found[1][0] is not found[2][0]
    assert found[2][0].name == second.name


def test_extra_columns_follow_the_instances_their_placeholders_first() -> None:
    org = OrganizationFactory.create(name="Acme")
    [[found, shout, plus]] = rows.select(
        ((Organization, "o"),),
        organizations_rest(),
        ["!", 2, org.pk],
        extra='UPPER(o."name") || %s, 40 + %s',
    )
    assert found.pk == org.pk
    assert (shout, plus) == ("ACME!", 42)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pipeline mode: PostgreSQL")
def test_on_postgresql_statements_selected_together_share_one_pipeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    org = OrganizationFactory.create()
    entered: list[int] = []
    original = psycopg.Connection.pipeline

    def counted(self: psycopg.Connection[object]) -> object:
        entered.append(1)
        return original(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    parts = ((Organization, "o"),)
    a, b = rows.select_together(
        (parts, organizations_rest(), [org.pk]), (parts, organizations_rest(), [org.pk])
    )
    assert a[0][0].pk == b[0][0].pk == org.pk
    assert entered == [1]
    [[alone]] = rows.select(parts, organizations_rest(), [org.pk])  # one statement: no pipeline
    assert alone.pk == org.pk
    assert entered == [1]


@pytest.mark.django_db(transaction=True)  # autocommit for real: no test transaction around
@pytest.mark.parametrize("in_transaction", [False, True], ids=["autocommit", "transaction"])
def test_a_statement_refused_among_others_raises_and_the_connection_goes_on(
    in_transaction: bool,
) -> None:
    from django.db import DatabaseError

    org = OrganizationFactory.create()
    parts = ((Organization, "o"),)
    broken = f'FROM "{Organization._meta.db_table}" o WHERE o."no_such_column" = %s'
    around = transaction.atomic() if in_transaction else contextlib.nullcontext()
    with pytest.raises(DatabaseError), around:
        rows.select_together((parts, organizations_rest(), [org.pk]), (parts, broken, [1]))
    [[found]] = rows.select(parts, organizations_rest(), [org.pk])
    assert found.pk == org.pk


def test_selected_together_inside_a_pipelined_block_too() -> None:
    actor = PersonFactory.create()
    org = OrganizationFactory.create()
    parts = ((Organization, "o"),)
    with transaction.atomic(), rows.pipelined():
        event = audit_event(actor, 7)
        rows.insert(event, key_later=True)
        [[a]], [[b]] = rows.select_together(
            (parts, organizations_rest(), [org.pk]), (parts, organizations_rest(), [org.pk])
        )
    assert a.pk == b.pk == org.pk
    assert AuditEvent.objects.get(pk=event.pk).target_id == "7"


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_transaction_commits_with_its_last_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    actor = PersonFactory.create()
    left: list[object] = []  # the transaction's state when Django's commit came
    real = psycopg.Connection.commit

    def commit(self: psycopg.Connection[Any]) -> None:
        left.append(self.info.transaction_status)
        real(self)

    monkeypatch.setattr(psycopg.Connection, "commit", commit)
    hooks: list[str] = []
    with rows.pipelined_transaction():
        event = audit_event(actor, 1)
        rows.insert(event, key_later=True)
        transaction.on_commit(lambda: hooks.append("committed"))
    assert hooks == ["committed"]
    assert AuditEvent.objects.get(pk=event.pk).target_id == "1"
    assert connection.get_autocommit()
    if ON_POSTGRESQL:  # the COMMIT went with the insert: nothing was left for Django's
        assert left == [psycopg.pq.TransactionStatus.IDLE]


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_transaction_refused_at_its_commit_writes_nothing() -> None:
    from django.db import IntegrityError

    actor = PersonFactory.create()

    def with_an_orphan() -> None:
        with rows.pipelined_transaction():
            rows.insert(audit_event(actor, 1), key_later=True)
            orphan = audit_event(actor, 2)
            orphan.actor_id = actor.pk + 100_000  # a key checked at COMMIT (deferred)
            rows.insert(orphan, key_later=True)

    with pytest.raises(IntegrityError):
        with_an_orphan()
    assert not AuditEvent.objects.filter(target_type="cases.case").exists()
    with rows.pipelined_transaction():  # the connection goes on
        rows.insert(audit_event(actor, 3), key_later=True)
    assert AuditEvent.objects.filter(target_type="cases.case").count() == 1


class Undone(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_transaction_inside_another_commits_nothing_of_its_own() -> None:
    actor = PersonFactory.create()

    def inside_another() -> None:
        with transaction.atomic():
            with rows.pipelined_transaction():
                rows.insert(audit_event(actor, 1), key_later=True)
            raise Undone  # the outer transaction rolls back: so does the inner one's row

    def left_by_an_error() -> None:
        with rows.pipelined_transaction():
            rows.insert(audit_event(actor, 2), key_later=True)
            raise Undone  # no COMMIT

    with pytest.raises(Undone):
        inside_another()
    with pytest.raises(Undone):
        left_by_an_error()
    assert not AuditEvent.objects.filter(target_type="cases.case").exists()
