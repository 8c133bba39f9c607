"""Roles become memberships (user × kommun × role); the audit log carries the kommun.

Until now a role was a Django group held in the whole install. Each user's role groups
become memberships with the same reach: the system administrator's without a kommun; a
school contact's in their school's kommun, with that school; every other role in every
kommun that exists (an install had one). The groups stay as each role's set of admin
permissions (`accounts.backends.MembershipBackend`), with no users in them.

On PostgreSQL a trigger refuses a school contact's school of another kommun.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLES = ("admin", "coordinator", "analyst", "school_contact")

TRIGGER = """
CREATE OR REPLACE FUNCTION accounts_membership_school_kommun() RETURNS trigger AS $$
BEGIN
    IF NEW.school_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM surveys_school s JOIN surveys_district d ON d.id = s.district_id
        WHERE s.id = NEW.school_id AND d.municipality_id = NEW.municipality_id
    ) THEN
        RAISE EXCEPTION 'accounts_membership: the school is not in the kommun of the membership';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_membership_school_kommun
    BEFORE INSERT OR UPDATE ON accounts_membership
    FOR EACH ROW EXECUTE FUNCTION accounts_membership_school_kommun();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS accounts_membership_school_kommun ON accounts_membership;
DROP FUNCTION IF EXISTS accounts_membership_school_kommun();
"""


def groups_to_memberships(apps, schema_editor):
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    membership_model = apps.get_model("accounts", "Membership")
    profile_model = apps.get_model("accounts", "StaffProfile")
    municipality_model = apps.get_model("surveys", "Municipality")
    school_model = apps.get_model("surveys", "School")
    kommuner = list(municipality_model.objects.values_list("pk", flat=True))
    # (A school contact's school was on the profile until this migration.)
    has_school = "school" in {field.name for field in profile_model._meta.get_fields()}
    schools = (
        dict(profile_model.objects.exclude(school=None).values_list("user_id", "school_id"))
        if has_school
        else {}
    )
    kommun_of_school = dict(school_model.objects.values_list("pk", "district__municipality_id"))
    for user in user_model.objects.filter(groups__name__in=ROLES).distinct():
        for role in user.groups.filter(name__in=ROLES).values_list("name", flat=True):
            if role == "admin":
                membership_model.objects.get_or_create(user=user, municipality=None, role=role)
            elif role == "school_contact":
                school = schools.get(user.pk)
                if school is not None:
                    membership_model.objects.get_or_create(
                        user=user,
                        municipality_id=kommun_of_school[school],
                        role=role,
                        school_id=school,
                    )
            else:
                for kommun in kommuner:
                    membership_model.objects.get_or_create(
                        user=user, municipality_id=kommun, role=role
                    )
        user.groups.remove(*user.groups.filter(name__in=ROLES))


def memberships_to_groups(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    membership_model = apps.get_model("accounts", "Membership")
    profile_model = apps.get_model("accounts", "StaffProfile")
    for membership in membership_model.objects.all():
        group, _ = group_model.objects.get_or_create(name=membership.role)
        membership.user.groups.add(group)
        if membership.school_id is not None:
            profile_model.objects.update_or_create(
                user_id=membership.user_id, defaults={"school_id": membership.school_id}
            )


def trigger_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_auditlog_append_only_trigger"),
        ("surveys", "0007_youth_page_open_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="kommun",
            field=models.CharField(
                blank=True, db_index=True, max_length=4, verbose_name="kommun"
            ),
        ),
        migrations.AlterField(
            model_name="staffprofile",
            name="organisation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("kommun", "Kommunen"),
                    ("polis", "Polisen"),
                    ("ideer", "Idéer för livet"),
                ],
                help_text="Krävs för analytiker.",
                max_length=16,
                verbose_name="organisation",
            ),
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "systemadministratör"),
                            ("coordinator", "samordnare"),
                            ("analyst", "analytiker"),
                            ("school_contact", "skolkontakt"),
                        ],
                        max_length=16,
                        verbose_name="roll",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        blank=True,
                        help_text="Tomt endast för systemadministratören, som gäller i alla kommuner.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="surveys.municipality",
                        verbose_name="kommun",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        blank=True,
                        help_text="Krävs för skolkontakter: den enda skola kontot ser.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contacts",
                        to="surveys.school",
                        verbose_name="skola",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="användare",
                    ),
                ),
            ],
            options={
                "verbose_name": "medlemskap",
                "verbose_name_plural": "medlemskap",
                "ordering": ["user", "municipality", "role"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "municipality", "role"), name="membership_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("municipality__isnull", True)),
                        fields=("user",),
                        name="membership_one_system_admin",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("municipality__isnull", True), ("role", "admin")),
                            models.Q(
                                models.Q(("role", "admin"), _negated=True),
                                ("municipality__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="membership_kommun_unless_admin",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("role", "school_contact"), ("school__isnull", False)),
                            models.Q(
                                models.Q(("role", "school_contact"), _negated=True),
                                ("school__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="membership_school_only_for_contacts",
                    ),
                ],
            },
        ),
        migrations.RunPython(groups_to_memberships, memberships_to_groups),
        migrations.RemoveField(model_name="staffprofile", name="school"),
        migrations.RunPython(trigger_create, trigger_drop),
    ]
