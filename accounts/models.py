"""Staff profiles (organisation), memberships (user × kommun × role) and the append-only
audit log.

A user's roles are their memberships: each names one kommun (the system administrator's
names none and holds in every kommun) and, for a school contact, the one school. Who may
do what with them is decided in `accounts.access` only.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_LABELS, Role


class Organisation(models.TextChoices):
    KOMMUN = "kommun", _("Kommunen")
    POLIS = "polis", _("Polisen")
    IDEER = "ideer", _("Idéer för livet")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("användare"),
    )
    organisation = models.CharField(
        _("organisation"),
        max_length=16,
        choices=Organisation,
        blank=True,
        help_text=_("Krävs för analytiker."),
    )

    class Meta:
        verbose_name = _("personalprofil")
        verbose_name_plural = _("personalprofiler")

    def __str__(self) -> str:
        return str(self.user)


class Membership(models.Model):
    """One role of one user in one kommun; the system administrator's names no kommun.

    A school contact's membership names the one school they see, a school of the same
    kommun (checked in `clean`, in `accounts.services.membership_grant` and, on PostgreSQL,
    by a trigger).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("användare"),
    )
    municipality = models.ForeignKey(
        "surveys.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("kommun"),
        help_text=_("Tomt endast för systemadministratören, som gäller i alla kommuner."),
    )
    role = models.CharField(
        _("roll"),
        max_length=16,
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
    )
    school = models.ForeignKey(
        "surveys.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("skola"),
        help_text=_("Krävs för skolkontakter: den enda skola kontot ser."),
    )

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["user", "municipality", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"], name="membership_unique"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(municipality__isnull=True),
                name="membership_one_system_admin",
            ),
            # The system administrator, and only they, hold a role in no particular kommun.
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN.value, municipality__isnull=True)
                | (~Q(role=Role.ADMIN.value) & Q(municipality__isnull=False)),
                name="membership_kommun_unless_admin",
            ),
            # A school contact has a school; nobody else has one.
            models.CheckConstraint(
                condition=Q(role=Role.SCHOOL_CONTACT.value, school__isnull=False)
                | (~Q(role=Role.SCHOOL_CONTACT.value) & Q(school__isnull=True)),
                name="membership_school_only_for_contacts",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality.name if self.municipality else _("alla kommuner")
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self) -> None:
        if self.role == Role.ADMIN and self.municipality_id is not None:
            raise ValidationError(
                {"municipality": _("Systemadministratören gäller i alla kommuner: lämna tomt.")}
            )
        if self.role != Role.ADMIN and self.municipality_id is None:
            raise ValidationError({"municipality": _("Välj kommunen som rollen gäller i.")})
        if self.role == Role.SCHOOL_CONTACT:
            if self.school is None:
                raise ValidationError({"school": _("En skolkontakt behöver en skola.")})
            if self.school.district.municipality_id != self.municipality_id:
                raise ValidationError({"school": _("Skolan ligger i en annan kommun.")})
        elif self.school_id is not None:
            raise ValidationError({"school": _("Bara en skolkontakt har en skola.")})


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit row."""


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    # Bulk writes would bypass Model.save/delete; refuse them too.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are never updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit rows are never deleted")


class AuditLog(models.Model):
    """One security-relevant event. Rows are only ever inserted.

    Who is kept as a snapshot (id, username, roles, organisation), and the kommun the event
    concerns by its code, not as foreign keys: a row must outlive the account and must
    never be rewritten by an ON DELETE rule.
    Details never hold answers, one-time codes, passwords or second-factor tokens
    (`accounts.services.audit` refuses such keys).
    """

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    event = models.CharField(_("händelse"), max_length=64, db_index=True)
    actor_id = models.BigIntegerField(_("användar-id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    roles = models.CharField(_("roller"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=16, blank=True)
    # SCB's code of the kommun the event concerns ("" for an event of no one kommun, such
    # as a login).
    kommun = models.CharField(_("kommun"), max_length=4, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    path = models.CharField(_("sökväg"), max_length=300, blank=True)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("granskningsloggpost")
        verbose_name_plural = _("granskningslogg")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.actor_username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are never deleted")


class UserSession(models.Model):
    """Which server sessions belong to which user, so deactivating a user ends them.

    Database sessions store the user id only inside their encoded payload; this index
    avoids decoding every session to find a user's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inloggad session")
        verbose_name_plural = _("inloggade sessioner")
        constraints = [
            models.UniqueConstraint(fields=["user", "session_key"], name="user_session_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.session_key[:6]}…"
