"""Model instances from hand-written SQL, for the pupil requests' hot statements.

The ORM builds its SQL anew for every query, which costs a pupil request more than the
statement itself; the few statements every pupil request runs are written out once
(`pupil_sessions`, `entry`) and their rows turned into ordinary model instances here,
through Django's own converters (JSON text, and on SQLite the UUIDs and times).
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

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
