"""Leave room in the cells' table pages (PostgreSQL only).

Every recompute updates each cell of its wave in place. With free space on the page, the
new row version stays on the same page and no index is touched (a HOT update): the
upsert of 4,536 cells took about 0.09 s instead of 0.22 s (docs/performance.md).
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FILLFACTOR = 60


def _set(fillfactor: int | None) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("lagesbild", "IndicatorCell")._meta.db_table
        setting = f"SET (fillfactor = {fillfactor})" if fillfactor else "RESET (fillfactor)"
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} {setting}")

    return run


class Migration(migrations.Migration):
    dependencies = [("lagesbild", "0003_merge_20261124_1813")]

    operations = [migrations.RunPython(_set(FILLFACTOR), _set(None))]
