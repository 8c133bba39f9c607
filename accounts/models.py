"""Staff profiles (organisation, school) and the append-only audit log.

Roles themselves are Django groups named after `accounts.access.Role`; the profile holds
what a role needs to be narrowed: an analyst's organisation and a school contact's school.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.TextChoices):
    KOMMUN = "kommun", _("Eskilstuna kommun")
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
        verbose_name = _("personalprofil")
        verbose_name_plural = _("personalprofiler")

    def __str__(self) -> str:
        return str(self.user)


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

    Who is kept as a snapshot (id, username, roles, organisation), not as a foreign key:
    a row must outlive the account and must never be rewritten by an ON DELETE rule.
    Details never hold answers, one-time codes, passwords or second-factor tokens
    (`accounts.services.audit` refuses such keys).
    """

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    event = models.CharField(_("händelse"), max_length=64, db_index=True)
    actor_id = models.BigIntegerField(_("användar-id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    roles = models.CharField(_("roller"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=16, blank=True)
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
