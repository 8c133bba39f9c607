"""Every row of the database as text, to look for links that must not exist."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection


def every_row() -> dict[str, list[str]]:
    """Every row of every table as text; pupil sessions decoded."""
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            texts = []
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                if table == "django_session":
                    text += " " + str(SessionStore().decode(row[1]))
                texts.append(text.lower())
            rows[table] = texts
    return rows
