"""Single-row statements for the hot path of every delivery, with their SQL built once per process.

Django compiles a queryset to SQL each time it runs it. For most of this project that cost is noise, but a
delivery between courts runs the same few statements thousands of times a day, and there compiling was most
of the work: locking one filing through the ORM cost 0.39 ms of CPU where the round trip itself cost 0.06 ms
(bench/README.md, "Where a delivery's time goes"). So the statements of that path are built here, once per
model and database, and run with new parameters:

- `lock_row`: one row under a row lock;
- `update_row` / `update_row_returning`: a compare-and-set update (only if a column still holds the value the
  caller expects), the second reading the updated row back in the same statement;
- `insert_rows`: append rows (timeline events, notices), at once or, inside `batched_appends()`, together
  with the other statements of the batch in one round trip.

Values go through each field's own conversion (`get_db_prep_save`, and the backend's and the field's
converters on the way back; `pre_save`, so auto_now stamps, where a model instance is written), so a row
written or read here is the row the ORM would write or read.
The SQL is plain enough for PostgreSQL and SQLite alike. Everything else in the project uses the ORM.
"""

import contextlib
from contextvars import ContextVar
from functools import cache

from django.db import connections, models, router
from django.db.models.expressions import Col

Statement = tuple[str, list]
INSERT_CHUNK = 500


def _quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


@cache
def _read_columns(model: type[models.Model], alias: str) -> tuple[str, list[str], list]:
    """The column list of a whole row, its attribute names, and the columns whose values need converting on
    the way back (e.g. JSON text to Python), as the ORM's compiler would convert them."""
    connection = connections[alias]
    meta = model._meta
    fields = meta.concrete_fields
    converted = []
    for index, field in enumerate(fields):
        column = Col(meta.db_table, field)
        if connection.ops.get_db_converters(column) or field.get_db_converters(connection):
            converted.append((index, column))
    columns = ", ".join(_quote(alias, field.column) for field in fields)
    return columns, [field.attname for field in fields], converted


def _instance(model: type[models.Model], alias: str, row):
    _columns, attnames, converted = _read_columns(model, alias)
    if converted:
        # The converters are looked up on this thread's connection each time (they are the backend's
        # methods); which columns need one is the same for every connection to the database.
        row = list(row)
        connection = connections[alias]
        for index, column in converted:
            field_converters = column.target.get_db_converters(connection)
            for convert in connection.ops.get_db_converters(column) + field_converters:
                row[index] = convert(row[index], column, connection)
    return model.from_db(alias, attnames, row)


@cache
def _select_for_update(model: type[models.Model], alias: str) -> str:
    meta = model._meta
    columns = _read_columns(model, alias)[0]
    sql = f"SELECT {columns} FROM {_quote(alias, meta.db_table)} WHERE {_quote(alias, meta.pk.column)} = %s"
    if connections[alias].features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def lock_row(model: type[models.Model], pk):
    """`model.objects.select_for_update().get(pk=pk)` without joins, in the caller's transaction."""
    alias = router.db_for_write(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(_select_for_update(model, alias), [pk])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk!r} does not exist.")
    return _instance(model, alias, row)


@cache
def _update(model: type[models.Model], alias: str, names: tuple[str, ...], guard: str, returning: bool):
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{_quote(alias, field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {_quote(alias, meta.db_table)} SET {assignments} WHERE {_quote(alias, meta.pk.column)} = %s "
        f"AND {_quote(alias, meta.get_field(guard).column)} = %s"
    )
    if returning:
        sql += f" RETURNING {_read_columns(model, alias)[0]}"
    return sql, fields, meta.get_field(guard)


def _update_params(alias, fields, values, pk, guard_field, expected) -> list:
    connection = connections[alias]
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    return [*params, pk, guard_field.get_db_prep_save(expected, connection)]


def update_row(record: models.Model, names, *, guard: str, expected) -> bool:
    """Save the fields `names` of `record` if its `guard` column still holds `expected`. Fields with auto_now
    are stamped as save() stamps them. False if the row was not as expected (or is gone)."""
    model = type(record)
    alias = router.db_for_write(model)
    sql, fields, guard_field = _update(model, alias, tuple(names), guard, False)
    values = [field.pre_save(record, False) for field in fields]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, _update_params(alias, fields, values, record.pk, guard_field, expected))
        return cursor.rowcount == 1


def update_row_returning(model: type[models.Model], pk, changes: dict, *, guard: str, expected):
    """Set `changes` on the row `pk` if its `guard` column holds `expected`, and return the updated row as
    an instance; None if the row was not as expected. `changes` are written as given (no instance, so no
    auto_now stamp). The row stays locked until the transaction ends."""
    alias = router.db_for_write(model)
    sql, fields, guard_field = _update(model, alias, tuple(changes), guard, True)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, _update_params(alias, fields, changes.values(), pk, guard_field, expected))
        row = cursor.fetchone()
    return None if row is None else _instance(model, alias, row)


@cache
def _insert(model: type[models.Model], alias: str) -> tuple[str, str, list]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(_quote(alias, field.column) for field in fields)
    head = f"INSERT INTO {_quote(alias, meta.db_table)} ({columns}) VALUES "
    values = f"({', '.join(['%s'] * len(fields))})"
    return head, values, fields


def insert_rows(objs: list[models.Model], *, ignore_conflicts: bool = False) -> None:
    """`bulk_create(objs)`: the objects get their ids, except with `ignore_conflicts` (as with the ORM) and
    inside `batched_appends()`, where the rows are written when the batch is sent, not now."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    head, values, fields = _insert(model, alias)
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields] for obj in objs
    ]
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""  # PostgreSQL, and SQLite since 3.24
    batch = _batch.get()
    if batch is not None and batch.holds(connection):
        batch.statements.extend((head + values + conflicts, row) for row in rows)
        return
    returning = not ignore_conflicts and connection.features.can_return_rows_from_bulk_insert
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):  # well inside both databases' parameter limits
            chunk = rows[start : start + INSERT_CHUNK]
            sql = head + ", ".join([values] * len(chunk)) + conflicts
            if returning:
                sql += f" RETURNING {_quote(alias, model._meta.pk.column)}"
            cursor.execute(sql, [param for row in chunk for param in row])
            if returning:
                # One row back per row in, in the order of VALUES (as Django's bulk_create relies on too).
                for obj, (pk,) in zip(objs[start : start + INSERT_CHUNK], cursor.fetchall(), strict=True):
                    obj.pk = pk


class Batch:
    """Appends held back to be sent with one more statement, in one round trip (see `batched_appends`)."""

    def __init__(self, alias: str):
        connection = connections[alias]
        if not connection.in_atomic_block:
            raise RuntimeError("batched_appends must run inside the transaction the appends belong to")
        self.alias = alias
        # Appends are held back only at this depth: one made inside a nested atomic block (a savepoint) is
        # written at once, so that rolling the savepoint back takes it too.
        self.depth = len(connection.atomic_blocks)
        self.statements: list[Statement] = []

    def holds(self, connection) -> bool:
        return connection.alias == self.alias and len(connection.atomic_blocks) == self.depth

    def send(self, first: Statement) -> int:
        """Run `first`, then the held-back appends; the number of rows `first` touched."""
        connection = connections[self.alias]
        statements, self.statements = [first, *self.statements], []
        with connection.cursor() as cursor:
            # With Django's default psycopg cursor, parameters are bound client-side, so several statements
            # can travel as one query string; the first result, and its row count, is the cursor's current.
            # (Server-side binding, an option, would refuse that: then they go one by one, as on SQLite.)
            together = connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get(
                "server_side_binding"
            )
            if together:
                cursor.execute(
                    "; ".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
                )
                return cursor.rowcount
            cursor.execute(*statements[0])
            touched = cursor.rowcount
            _run_each(cursor, statements[1:])
            return touched


_batch: ContextVar[Batch | None] = ContextVar("courts_rows_batch", default=None)


@contextlib.contextmanager
def batched_appends(alias: str = "default"):
    """Hold back `insert_rows` inside the block, to be sent with the block's last statement (`Batch.send`).
    Only for writes nothing in the block reads back: the rows are not in the database until then. Appends
    still held when the block ends are written then; if the block raises, they are dropped with the rest of
    the transaction."""
    batch = Batch(alias)
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)
    if batch.statements:
        with connections[alias].cursor() as cursor:
            _run_each(cursor, batch.statements)


def _run_each(cursor, statements: list[Statement]) -> None:
    for sql, params in statements:
        cursor.execute(sql, params)


# --- Many new rows at once --------------------------------------------------------------------------------

_PLAIN = (type(None), str, int, bool)  # what a field's get_db_prep_save gives back as it is, on PostgreSQL


def copy_rows(model: type[models.Model], rows: list[dict], *, with_ids: bool = False) -> list:
    """Append many new rows of `model`, each given as {attname: value} (every row naming the same fields), in
    the caller's transaction: by COPY on PostgreSQL, by `bulk_create` elsewhere. A field a row does not name
    gets what a new instance has (its default; the time now for auto_now), as bulk_create would write it.
    With `with_ids`, the rows' ids in their order (drawn from the table's own sequence first, on PostgreSQL).

    For the history import's hundreds of thousands of rows (cases.services.history_import): there
    bulk_create spent 0.12 ms a party row building instances and compiling each value, COPY 0.02 ms, and
    100,000 cases took 104 s instead of 45-54 s (bench/README.md, `bench.history_import`).
    Values that are not plain (dates, decimals, JSON) go through their field's `get_db_prep_save`."""
    if not rows:
        return []
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise RuntimeError("copy_rows must run inside the transaction the rows belong to")
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.using(alias).bulk_create(objs)
        return [obj.pk for obj in objs] if with_ids else []
    meta = model._meta
    named = [field for field in meta.concrete_fields if field.attname in rows[0]]
    fresh = model()  # what a new instance holds in every field the rows leave out
    others = [
        field for field in meta.concrete_fields if field.attname not in rows[0] and not field.primary_key
    ]
    tail = [field.get_db_prep_save(field.pre_save(fresh, True), connection) for field in others]
    ids: list = []
    table = _quote(alias, meta.db_table)
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, meta.pk.column, len(rows)],
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
            named = [meta.pk, *(field for field in named if not field.primary_key)]
        columns = ", ".join(_quote(alias, field.column) for field in (*named, *others))
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for index, row in enumerate(rows):
                values = [ids[index]] if with_ids else []
                for field in named[1:] if with_ids else named:
                    value = row[field.attname]
                    values.append(
                        value if type(value) in _PLAIN else field.get_db_prep_save(value, connection)
                    )
                copy.write_row((*values, *tail))
    return ids
