"""The staff roles. Pure: no ORM import, so models and the access module both use it."""

from enum import StrEnum
from typing import Final

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    """A staff role, held in one kommun through a membership (`accounts.models.Membership`).

    The system administrator's membership names no kommun: it holds in every kommun.
    Pupils never log in.
    """

    ADMIN = "admin"  # system administrator: users, memberships, retention, the audit log
    COORDINATOR = "coordinator"  # samordnare: set-up, waves, codes, publishing
    ANALYST = "analyst"  # published dashboards and exports; carries an organisation
    SCHOOL_CONTACT = "school_contact"  # codes and response rates of one school


ROLE_LABELS: Final = {
    Role.ADMIN: _("systemadministratör"),
    Role.COORDINATOR: _("samordnare"),
    Role.ANALYST: _("analytiker"),
    Role.SCHOOL_CONTACT: _("skolkontakt"),
}

ALL_ROLES: Final = frozenset(Role)
