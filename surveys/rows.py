"""Model instances from hand-written SQL, for the pupil requests' hot statements.

The ORM builds its SQL anew for every query, which costs a pupil request more than the
statement itself; the few statements every pupil request runs are written out once
(`pupil_sessions`, `entry`, the page save in `services`), run through `cursor()` and
their rows turned into ordinary model instances here, through Django's own converters
(JSON text, and on SQLite the UUIDs and times).

On PostgreSQL `cursor()` prepares them: each connection of the pool parses and plans
such a statement once instead of on every request (the session lookup's plan cost
PostgreSQL about four times its execution). Django leaves automatic preparation off for
every other query. A connection pooler between the app and PostgreSQL in transaction
mode must then keep prepared statements per server connection (PgBouncer 1.21 or later
with `max_prepared_statements`); the app's own psycopg pool does.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

type Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _converters(model: type[models.Model], vendor: str) -> tuple[tuple[Any, list[Converter]], ...]:
    del vendor  # part of the cache key: converters differ between databases
    table = model._meta.db_table
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(table)
        found = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        out.append((column, found))
    return tuple(out)


def columns(model: type[models.Model], alias: str) -> str:
    """Every column of `model`, in `from_row`'s order, from the table named `alias`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def width(model: type[models.Model]) -> int:
    """How many columns `columns` names."""
    return len(model._meta.concrete_fields)


def from_row[M: models.Model](model: type[M], values: Sequence[Any]) -> M:
    """An instance of `model` from its columns as `columns` selected them."""
    converted = []
    for (column, found), value in zip(_converters(model, connection.vendor), values, strict=True):
        for convert in found:
            value = convert(value, column, connection)
        converted.append(value)
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, converted)


class _PreparedCursor(psycopg.Cursor[Any]):
    """Server-side binding, every statement prepared (once per connection)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def cursor() -> CursorWrapper:
    """A cursor for the hot statements (`%s` parameters, as with `connection.cursor()`):
    Django's wrapper (its error classes, the query log of tests and DEBUG), around a
    preparing cursor on PostgreSQL."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = _PreparedCursor(connection.connection)
    if connection.queries_logged:
        return CursorDebugWrapper(raw, connection)
    return CursorWrapper(raw, connection)
