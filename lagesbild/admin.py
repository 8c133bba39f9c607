"""Admin for coordinators: publish a closed wave and write its analysis text.

Cells themselves have no admin: their raw counts must never be shown, and no value of an
unpublished wave is shown anywhere. The analysis is written before publishing: it is
frozen with the publication.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import Role, has_role

from .models import WavePublication, WaveResult
from .services import CatalogueMismatchError, PublishRefusedError, wave_publish


def _coordinator(request: HttpRequest) -> bool:
    return has_role(request.user, Role.COORDINATOR, Role.ADMIN)


@admin.register(WaveResult)
class WaveResultAdmin(admin.ModelAdmin[WaveResult]):
    list_display = ["name", "slug", "opens_at", "closes_at", "status", "published_at"]
    list_filter = ["municipality"]
    search_fields = ["name", "slug"]
    fields = [
        "name",
        "slug",
        "opens_at",
        "closes_at",
        "published_at",
        "analysis_text",
        "youth_page",
    ]
    readonly_fields = ["name", "slug", "opens_at", "closes_at", "published_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        # The analysis is printed in the report and frozen with the publication's
        # snapshot (lagesbild.snapshot): after publishing it cannot change.
        if isinstance(obj, WaveResult) and obj.is_published:
            return [*self.readonly_fields, "analysis_text"]
        return list(self.readonly_fields)

    @admin.display(description=_("status"))
    def status(self, wave: WaveResult) -> str:
        if wave.is_published:
            return str(_("publicerad"))
        if wave.closes_at <= timezone.now():
            return str(_("stängd, ej publicerad"))
        return str(_("öppen"))

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return _coordinator(request)

    @admin.action(
        description=_("Publicera valda omgångar (räknas om en sista gång och fryses)"),
        permissions=["publish"],
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[WaveResult]) -> None:
        user_id = request.user.pk if request.user.is_authenticated else None
        for wave in queryset.order_by("opens_at"):
            try:
                publication = wave_publish(wave_id=wave.pk, user_id=user_id)
            except (PublishRefusedError, CatalogueMismatchError) as error:
                self.message_user(
                    request,
                    _("%(wave)s: %(error)s") % {"wave": wave, "error": error},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                _("%(wave)s är publicerad: %(cells)d celler frysta.")
                % {"wave": wave, "cells": publication.cell_count},
                messages.SUCCESS,
            )


@admin.register(WavePublication)
class WavePublicationAdmin(admin.ModelAdmin[WavePublication]):
    list_display = ["wave", "published_at", "published_by", "catalogue_version", "cell_count"]
    readonly_fields = [
        "wave",
        "published_at",
        "published_by",
        "catalogue_version",
        "catalogue_digest",
        "rule_params",
        "cell_count",
        "sheet_count",
        "snapshot",
    ]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
