"""A code is spent at its first entry (when its draft is created), no longer by the
transaction that stores its sheet, whose rows PostgreSQL marks with one transaction id
(`xmin`) that would join the code's row to the sheet. A code is answered when it is spent
and has no draft (`surveys.models.ANSWERED`).

Codes that have a draft today were entered and not yet sent in: they become spent. Codes
spent before have no draft (the submit deleted it), so they count as answered, as before.
The reverse makes codes with a draft unspent again, as the earlier code expects."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def drafted_codes_spent(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AccessCode = apps.get_model("surveys", "AccessCode")
    SheetDraft = apps.get_model("surveys", "SheetDraft")
    AccessCode.objects.filter(pk__in=SheetDraft.objects.values("code_id")).update(spent=True)


def drafted_codes_unspent(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AccessCode = apps.get_model("surveys", "AccessCode")
    SheetDraft = apps.get_model("surveys", "SheetDraft")
    AccessCode.objects.filter(pk__in=SheetDraft.objects.values("code_id")).update(spent=False)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0013_answer_vector_packed")]

    operations = [migrations.RunPython(drafted_codes_spent, drafted_codes_unspent)]
