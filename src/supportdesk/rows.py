"""Writing new rows with SQL made once per process, for the fixed writes of a hot path.

``obj.save()`` on a new object builds and compiles its ``INSERT`` every time, and on the
path that opens a case (six inserts) that Python cost more than the database's work. Here
the statement of each model is made once, from the model's own fields, and each insert only
prepares the values (each field's ``pre_save`` and ``get_db_prep_save``, as ``save`` does)
and runs it. What ``save`` does besides is not done: no ``pre_save``/``post_save`` signals
(nothing in supportdesk listens to them), no ``save()`` override of the model is called
(those of supportdesk's models only guard changes to existing rows, and these are new).

``ignore_conflicts`` writes ``ON CONFLICT DO NOTHING``: a row that a unique constraint
refuses is not written, the call answers False, and the transaction goes on (SQLite and
PostgreSQL alike), so no savepoint is needed around an insert that may meet a retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from psycopg._queries import PostgresQuery

# each field of a statement, with its plain type (_plain_type) and whether its None is NULL as
# it is (_none_plain)
_Fields = list[tuple[Field[Any, Any], type | None, bool]]
# the statement's text, its fields, RETURNING or not
_Statement = tuple[str, _Fields, bool]
_made: dict[tuple[type[Model], str, bool, bool, int], _Statement] = {}


def _statement(
    model: type[Model], connection: BaseDatabaseWrapper, *, with_pk: bool, ignore: bool, rows: int
) -> _Statement:
    key = (model, connection.alias, with_pk, ignore, rows)
    made = _made.get(key)
    if made is None:
        meta = model._meta
        fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and (with_pk or f is not meta.auto_field)
        ]
        quote = connection.ops.quote_name
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # names from the model's own definition, quoted; the values go as parameters
        sql = (
            f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(str(f.column)) for f in fields)}) VALUES {', '.join([one] * rows)}"
        )
        if ignore:
            sql += " ON CONFLICT DO NOTHING"
        # a refused row is told by no row back: the rowcount is not known yet in a pipeline
        returning = not with_pk or ignore
        if returning:
            sql += f" RETURNING {quote(str(meta.pk.column))}"
        prepared = [(f, kind := _plain_type(f), kind is not None or _none_plain(f)) for f in fields]
        made = _made[key] = (sql, prepared, returning)
    return made


def _prepares(connection: BaseDatabaseWrapper) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SUPPORTDESK_PG_PREPARED
        # the query log (DEBUG, tests counting statements) shows what Django's cursor runs
        and not connection.queries_logged
    )


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor for these statements: Django's (its error mapping) around, on PostgreSQL, a
    psycopg cursor that binds the parameters on the server and prepares each statement once
    per connection, since the same few run over and over: parsed and planned once
    (``SUPPORTDESK_PG_PREPARED=0`` for a pooler that cannot keep them). While queries are
    logged, Django's own cursor, so that the log shows the statements as everywhere else."""
    if not _prepares(connection):
        return connection.cursor()
    # what connection.cursor() does before it makes its cursor
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns automatic preparing off; only ``prepare=True`` below prepares
        raw.prepare_threshold = _NEVER_BY_COUNT
    return connection.make_cursor(_PreparedCursor(raw))  # type: ignore[arg-type]


_NEVER_BY_COUNT = 2**31


# --- pipelining ----------------------------------------------------------------------------------

# per thread (a connection is a thread's): the rows inserted in a pipelined block whose primary
# keys the database makes, each with the cursor its answer comes to; None outside a block
_pipeline = threading.local()


@contextmanager
def pipelined(using: str = "default") -> Iterator[None]:
    """Send this module's statements inside the block without waiting for each answer: on
    PostgreSQL, while statements are prepared (:func:`_cursor`), in psycopg's pipeline mode;
    on SQLite (supportdesk's backend), the inserts with ``key_later`` and those of
    :func:`insert_all` are held back and run together at the block's end, or before any other
    statement of the connection, in their order (in a transaction the first of them sends
    its ``BEGIN`` and takes the writer lock: the Python that made them ran unlocked). An
    answer is awaited only where it is read: the rows of a :func:`select`, whether an
    ``ignore_conflicts`` insert wrote its row, the block's end.

    The primary key the database makes for a row inserted with ``key_later`` is set at the
    block's end (on SQLite: when it runs), not at the insert; any other insert waits for its
    answer. A refused
    statement raises where its answer is read (the block's end at the latest), and the
    enclosing transaction is then rolled back as after any failed statement. Use it inside a
    transaction (``BEGIN`` goes with the first statement, not on its own), around writes that
    depend on no answer but the ones read; :func:`pipelined_transaction` is both at once."""
    with _pipelined(connections[using], commit=False):
        yield


@contextmanager
def pipelined_transaction(using: str = "default") -> Iterator[None]:
    """A transaction (``transaction.atomic``) whose statements go as in :func:`pipelined`.
    When it is the outermost one, on PostgreSQL its ``COMMIT`` is sent as the block's last
    statement, and answered with the others at the block's end: one round trip fewer than a
    ``COMMIT`` after it (Django's commit then finds nothing left to commit, and runs the
    ``on_commit`` callbacks as always; a ``COMMIT`` refused, by a deferred constraint, say,
    raises at the block's end and nothing is written). Inside another transaction it is a
    savepoint, as ``atomic`` is, and commits nothing."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), _pipelined(connection, commit=outermost):
        yield


@contextmanager
def _pipelined(connection: BaseDatabaseWrapper, *, commit: bool) -> Iterator[None]:
    if hasattr(connection, "holding_back"):
        # supportdesk's SQLite backend: the inserts that need no answer are held back and
        # run together at the block's end, the transaction's BEGIN (and the database's one
        # writer lock) with the first of them: the Python that makes the rows runs unlocked
        with connection.holding_back():
            yield
        return
    if getattr(_pipeline, "pending", None) is not None or not _prepares(connection):
        yield
        return
    connection.ensure_connection()
    pending: list[tuple[Any, Model]] = []
    _pipeline.pending = pending
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            yield
            if commit and not connection.needs_rollback:
                # the block ended without an error: COMMIT, answered with the rest below
                with connection.connection.cursor() as cursor:
                    cursor.execute("COMMIT")
        # the pipeline's end waited for every answer: the keys are in the cursors
        with connection.wrap_database_errors:
            for cursor, obj in pending:
                obj.pk = cursor.fetchone()[0]
    finally:
        _pipeline.pending = None
        for cursor, _ in pending:
            cursor.close()


class _KeptQuery(PostgresQuery):
    """psycopg's conversion of a statement's text (its ``%s`` to ``$1``...), kept per text for
    this module's statements, which are a fixed few made once per process. psycopg keeps the
    conversions only of statements of at most 50 parameters, and the case's ``INSERT`` has 55:
    its text was split again on every opening (0.1 ms)."""

    def convert(self, query: Any, vars: Any) -> None:
        if vars is None or not isinstance(query, str):
            super().convert(query, vars)
            return
        kept = _converted.get((query, self._tx.encoding))
        if kept is None:
            super().convert(query, vars)
            _converted[query, self._tx.encoding] = (
                self.query,
                self._want_formats,
                self._order,
                self._parts,
            )
            return
        self.query, self._want_formats, self._order, self._parts = kept
        self.dump(vars)


_converted: dict[tuple[str, str], tuple[bytes, Any, Any, Any]] = {}


class _PreparedCursor(psycopg.Cursor[Any]):
    """psycopg's cursor, each statement prepared (on first use in the connection), its text's
    conversion kept (:class:`_KeptQuery`)."""

    _query_cls = _KeptQuery

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        return super().execute(query, params, prepare=True)


def _plain_type(f: Field[Any, Any]) -> type | None:
    """The one Python type whose values ``f`` writes unchanged on every database (a ``str``
    of a text field, an ``int`` of an integer field or of a key to an integer key, a
    ``bool``), or None when each value goes through the field's own preparation."""
    if isinstance(f, ForeignKey):
        target = f.target_field
        if isinstance(target, AutoFieldMixin) and isinstance(target, IntegerField):
            return int
        return None
    plain = (
        type(f).pre_save is Field.pre_save
        and type(f).get_db_prep_save is Field.get_db_prep_save
        and type(f).get_db_prep_value is Field.get_db_prep_value
    )
    if not plain:
        return None
    if isinstance(f, CharField | TextField):
        return str
    if isinstance(f, BooleanField):
        return bool
    if isinstance(f, IntegerField):
        return int
    return None


def _none_plain(f: Field[Any, Any]) -> bool:
    """Whether ``f`` writes None as NULL without its own preparation: a date or a time stamp
    that is not set on save (``auto_now``, ``auto_now_add``), whose preparation only adapts a
    value that is there (a field of a plain type says so by :func:`_plain_type`)."""
    if type(f) is DateTimeField or type(f) is DateField:
        return not (f.auto_now or f.auto_now_add)
    return False


def _values(obj: Model, fields: _Fields, connection: BaseDatabaseWrapper) -> list[Any]:
    if not obj._state.adding:
        raise ValueError(f"{obj!r} is already written: rows.insert writes new rows only")
    obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    values = []
    for f, kind, none_plain in fields:
        value = getattr(obj, f.attname)
        # None where it is NULL as it is, and a value of the field's own plain type, are
        # written as they are; anything else as save() writes it (pre_save sets auto_now
        # times, get_db_prep_save adapts)
        if value is None and none_plain:
            pass
        elif kind is None or type(value) is not kind:
            value = f.get_db_prep_save(f.pre_save(obj, True), connection)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{f.name}: rows.insert takes values, not expressions")
        values.append(value)
    return values


def _hold_back(
    connection: BaseDatabaseWrapper,
    sql: str,
    values: list[Any],
    obj: Model | None = None,
    returning: bool = False,
) -> bool:
    """Whether the statement is held back to run later (supportdesk's SQLite backend, inside
    a pipelined block: :func:`_pipelined`), the key it returns set on ``obj`` then."""
    hold = getattr(connection, "hold_back", None)
    return hold is not None and bool(hold(sql, values, obj if returning else None))


def insert(obj: Model, *, ignore_conflicts: bool = False, key_later: bool = False) -> bool:
    """Write the new ``obj`` in one ``INSERT`` (its primary key back from the database when
    the database makes it). With ``ignore_conflicts``, False when a unique constraint
    refused the row (nothing written, the transaction goes on). ``key_later``: the caller
    reads no answer, so inside :func:`pipelined` the key the database makes is set only at
    the block's end (and a refusal raised there)."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    with_pk = obj.pk is not None
    sql, fields, returning = _statement(
        model, connection, with_pk=with_pk, ignore=ignore_conflicts, rows=1
    )
    values = _values(obj, fields, connection)
    if key_later and not ignore_conflicts and _hold_back(connection, sql, values, obj, returning):
        obj._state.adding = False
        obj._state.db = alias
        return True
    pending: list[tuple[Any, Model]] | None = getattr(_pipeline, "pending", None)
    if pending is not None and key_later and not ignore_conflicts:
        # the key is read at the block's end (pipelined), the cursor kept till then
        cursor = _cursor(connection)
        cursor.execute(sql, values)
        if returning:
            pending.append((cursor, obj))
        else:
            cursor.close()
        obj._state.adding = False
        obj._state.db = alias
        return True
    with _cursor(connection) as cursor:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            if row is None:  # refused by a unique constraint (ON CONFLICT DO NOTHING)
                return False
            if not with_pk:
                obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = alias
    return True


def insert_all(objs: Sequence[Model]) -> None:
    """Write new objects of one model, their primary keys given, in one ``INSERT``."""
    if not objs:
        return
    model = type(objs[0])
    if any(type(o) is not model or o.pk is None for o in objs):
        raise ValueError("rows.insert_all takes objects of one model with their primary keys")
    alias = router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    sql, fields, _ = _statement(model, connection, with_pk=True, ignore=False, rows=len(objs))
    values = [v for obj in objs for v in _values(obj, fields, connection)]
    # inside a pipelined block on SQLite, held back like an insert with key_later
    if not _hold_back(connection, sql, values):
        with _cursor(connection) as cursor:
            cursor.execute(sql, values)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


# --- keys taken before the row is made ------------------------------------------------------

_autoincrement: set[tuple[type[Model], str]] = set()  # (model, alias) checked on SQLite


def reserve_key(model: type[Model], using: str = "default") -> int:
    """A primary key for a new row of ``model``, taken now from the database's own counter
    of the table's keys (PostgreSQL's sequence of the column, SQLite's ``sqlite_sequence``
    row of an ``AUTOINCREMENT`` table, as Django makes them): no row the database makes
    later gets it, and a key taken for a row that is never written stays unused. So the
    rows that refer to the new one can be made before it is written. On SQLite, take it
    inside a transaction (it writes, under the writer lock)."""
    connection = connections[using]
    meta = model._meta
    table, column = meta.db_table, str(meta.pk.column)
    with _cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s))",
                [connection.ops.quote_name(table), column],
            )
            key = cursor.fetchone()[0]
            if key is None:
                raise ValueError(f"rows.reserve_key: {table}.{column} has no sequence")
            return int(key)
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"rows.reserve_key: no key to take on {connection.vendor}")
        if (model, using) not in _autoincrement:
            # without AUTOINCREMENT a table's next key is its largest plus one, whatever
            # was taken here
            cursor.execute(
                "SELECT sql LIKE '%%AUTOINCREMENT%%' FROM sqlite_master WHERE type = 'table' "
                "AND name = %s",
                [table],
            )
            found = cursor.fetchone()
            if not found or not found[0]:
                raise ValueError(f"rows.reserve_key: {table} is not an AUTOINCREMENT table")
            _autoincrement.add((model, using))
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = %s RETURNING seq", [table]
        )
        row = cursor.fetchone()
        if row is None:  # no row written yet: SQLite makes the table's counter then
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) "  # noqa: S608 (the model's own names)
                f"SELECT %s, COALESCE(MAX({connection.ops.quote_name(column)}), 0) + 1 "
                f"FROM {quoted} RETURNING seq",
                [table],
            )
            row = cursor.fetchone()
        return int(row[0])


# --- reads -------------------------------------------------------------------------------------

_Converter = tuple[int, list[Any], Any]
_Part = tuple[type[Model], str]
_read: dict[tuple[tuple[_Part, ...], str], tuple[str, list[_Converter]]] = {}


def _columns(
    parts: tuple[_Part, ...], connection: BaseDatabaseWrapper
) -> tuple[str, list[_Converter]]:
    key = (parts, connection.alias)
    made = _read.get(key)
    if made is None:
        quote = connection.ops.quote_name
        names: list[str] = []
        converters: list[_Converter] = []
        for model, alias in parts:
            for f in model._meta.concrete_fields:
                col = f.get_col(alias)
                found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                if found:
                    converters.append((len(names), found, col))
                names.append(f"{quote(alias)}.{quote(str(f.column))}")
        made = _read[key] = (", ".join(names), converters)
    return made


_Select = tuple[Sequence[_Part], str, Sequence[Any]]


def select(
    parts: Sequence[_Part],
    rest: str,
    params: Sequence[Any],
    *,
    using: str = "default",
    extra: str = "",
) -> list[list[Any]]:
    """``SELECT`` every column of each (model, table alias) of ``parts`` followed by
    ``rest`` (``FROM ... WHERE ...`` naming those aliases, placeholders ``%s``): for each
    row, one instance per part (None for a part whose primary key is NULL, as from a
    ``LEFT JOIN``), the values converted as the ORM converts them. ``extra`` adds columns
    after the parts' (its placeholders before those of ``rest``), each row's values of them
    following its instances as they came. A part whose values repeat those of the row before
    (a license joined to each of its lines) is that row's instance again: read the
    instances, or copy one before changing it."""
    return select_together((parts, rest, params), using=using, extra=(extra,))[0]


def select_together(
    *statements: _Select, using: str = "default", extra: Sequence[str] = ()
) -> list[list[list[Any]]]:
    """The rows of several :func:`select` statements (parts, rest, params), each as
    :func:`select` answers them (``extra``: each statement's extra columns, if any). None
    depends on another's answer, so on PostgreSQL, while statements are prepared, they go in
    one round trip in psycopg's pipeline mode (outside a transaction, together in one
    implicit transaction: one snapshot); elsewhere one after another."""
    connection = connections[using]
    made = []
    for index, (parts, rest, _) in enumerate(statements):
        key = tuple(parts)
        columns, converters = _columns(key, connection)
        more = extra[index] if index < len(extra) else ""
        made.append((key, converters, f"SELECT {columns}{', ' + more if more else ''} {rest}"))
    pipelines = _prepares(connection) and _pipeline_free()
    carried: Along | None = getattr(_along, "statement", None) if pipelines else None
    if carried is not None and (carried.using != using or carried.answered):
        carried = None
    sent = [
        (sql, list(params)) for (_, _, sql), (_, _, params) in zip(made, statements, strict=True)
    ]
    if carried is not None:
        sent.append((carried.sql, carried.params))
    # (a cursor is made connected: ensure_connection comes first)
    cursors = [_cursor(connection) for _ in sent]
    together = len(sent) > 1 and pipelines
    try:
        # inside a pipelined block, the first fetch sends every statement before it
        with (
            connection.wrap_database_errors,
            connection.connection.pipeline() if together else nullcontext(),
        ):
            for cursor, (sql, params) in zip(cursors, sent, strict=True):
                cursor.execute(sql, params)
        fetched = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    if carried is not None:
        carried.answer(fetched.pop())
    return [
        _built(rows, key, converters, connection, using)
        for rows, (key, converters, _) in zip(fetched, made, strict=True)
    ]


def _pipeline_free() -> bool:
    return getattr(_pipeline, "pending", None) is None


class Along:
    """A fixed statement that reads no model's rows (a counter's ``UPDATE ... RETURNING``),
    to be sent with the reads of a block: see :func:`along`."""

    def __init__(self, sql: str, params: Sequence[Any], *, using: str = "default") -> None:
        self.sql, self.params, self.using = sql, list(params), using
        self._rows: list[tuple[Any, ...]] | None = None

    @property
    def answered(self) -> bool:
        return self._rows is not None

    def answer(self, found: list[tuple[Any, ...]]) -> None:
        self._rows = found

    def rows(self) -> list[tuple[Any, ...]]:
        """Its rows: those that came with the reads that took it along, or, when none did,
        its own (it runs now, alone)."""
        if self._rows is None:
            with _cursor(connections[self.using]) as cursor:
                cursor.execute(self.sql, self.params)
                self._rows = cursor.fetchall()
        return self._rows


# per thread: the statement that the next reads are to take along, or None
_along = threading.local()


@contextmanager
def along(statement: Along) -> Iterator[Along]:
    """Inside the block, the first :func:`select` or :func:`select_together` of this thread
    that goes in psycopg's pipeline (PostgreSQL, statements prepared, no :func:`pipelined`
    block open) sends ``statement`` after its own reads: in their round trip and, outside a
    transaction, in their implicit transaction (a row it locks stays locked until their
    answer). Elsewhere nothing takes it, and ``statement.rows()`` runs it on its own. Read
    its rows with ``statement.rows()``, in the block or after it."""
    previous = getattr(_along, "statement", None)
    _along.statement = statement
    try:
        yield statement
    finally:
        _along.statement = previous


# per model: its concrete fields' attribute names when an instance of a whole row can be
# made by storing them (_plain_attnames), else None
_plain: dict[type[Model], tuple[str, ...] | None] = {}


def _plain_attnames(model: type[Model]) -> tuple[str, ...] | None:
    """The attribute names of ``model``'s concrete fields, in their order, when an instance
    of one of its rows is what storing its values under them makes: every field's class
    attribute is Django's ``DeferredAttribute`` (which stores nothing itself) or a key's
    ``ForeignKeyDeferredAttribute`` (whose ``__set__`` on a new instance only stores the
    value). ``Model.__init__`` does the same for a row's values, one ``setattr`` each, with
    its pre_init and post_init signals (so :func:`_built` takes this way only while nobody
    listens to them for the model). None when a field has an attribute of its own."""
    if model in _plain:
        return _plain[model]
    names = []
    for f in model._meta.concrete_fields:
        kind = type(getattr(model, f.attname, None))  # the descriptor, read on the class
        if kind is not DeferredAttribute and kind is not ForeignKeyDeferredAttribute:
            _plain[model] = None
            return None
        names.append(f.attname)
    made = _plain[model] = tuple(names)
    return made


def _built(
    fetched: list[Any],
    key: tuple[_Part, ...],
    converters: list[_Converter],
    connection: BaseDatabaseWrapper,
    using: str,
) -> list[list[Any]]:
    """Each row's instances and extra values. A part whose values are those of the row
    before (a row joined to each of several lines, as a license to each of its lines) is
    that row's instance again, not a second one: the rows' instances are to be read, or
    copied before they are changed."""
    spans = []
    start = 0
    for model, _ in key:
        fields = model._meta.concrete_fields
        attnames = _plain_attnames(model)
        if attnames is not None and (
            pre_init.has_listeners(model) or post_init.has_listeners(model)
        ):
            attnames = None  # someone listens to its instances being made: Model.__init__
        spans.append(
            (model, start, start + len(fields), start + fields.index(model._meta.pk), attnames)
        )
        start += len(fields)
    last: list[tuple[list[Any], Any] | None] = [None] * len(spans)
    out: list[list[Any]] = []
    for raw in fetched:
        values = list(raw)
        for index, found, col in converters:
            value = values[index]
            for convert in found:
                value = convert(value, col, connection)
            values[index] = value
        objects: list[Any] = []
        for position, (model, begin, end, pk_index, attnames) in enumerate(spans):
            if values[pk_index] is None:
                objects.append(None)
                continue
            chunk = values[begin:end]
            before = last[position]
            if before is not None and before[0] == chunk:
                objects.append(before[1])
                continue
            if attnames is None:
                made = model.from_db(using, (), chunk)
            else:  # what from_db makes of a whole row, without Model.__init__'s Python
                made = model.__new__(model)
                state = ModelState()
                state.adding = False
                state.db = using
                made.__dict__["_state"] = state
                made.__dict__.update(zip(attnames, chunk, strict=True))
            last[position] = (chunk, made)
            objects.append(made)
        objects.extend(values[start:])  # the extra columns' values
        out.append(objects)
    return out


def prepared_cursor(using: str = "default") -> Any:
    """A cursor whose statements are prepared on PostgreSQL (as this module's are), for a
    fixed statement of a hot path that is no model's rows (a counter's ``UPDATE``)."""
    return _cursor(connections[using])
