"""The admin site per kommun: a coordinator sees, chooses and changes only the rows of the
kommuner they coordinate; the system administrator sees every kommun.

Which kommun a row belongs to is `accounts.access.KOMMUN_PATHS`; which kommuner a user
manages is the `MANAGE_KOMMUN` policy. A row of another kommun is not found (the admin
answers as for an id that does not exist), and choices of districts, schools, classes,
waves and kommuner list only the user's own.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .access import within_kommuner


def _narrow(field: Any, request: HttpRequest) -> Any:
    queryset = getattr(field, "queryset", None)
    if isinstance(queryset, QuerySet):
        field.queryset = within_kommuner(queryset, request.user)
    return field


class KommunScopedAdmin[M: Model](admin.ModelAdmin[M]):
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The delete page names no row that keeps an object (a wave of another kommun, a
        pupil's answer sheet): only that something does."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = [
                _(
                    "Det används av omgångar, koder eller svar och kan inte tas bort så "
                    "länge de finns."
                )
            ]
        return deleted, counts, perms_needed, protected

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        return within_kommuner(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return _narrow(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return _narrow(super().formfield_for_manytomany(db_field, request, **kwargs), request)
