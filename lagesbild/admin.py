"""Admin for coordinators: publish a closed wave and write its analysis text, and keep
the åtgärdsplan (the measures decided from the lägesbild).

Cells themselves have no admin: their raw counts must never be shown, and no value of an
unpublished wave is shown anywhere. The analysis is written before publishing: it is
frozen with the publication.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.access import Role, has_role
from accounts.admin_scope import KommunScopedAdmin
from accounts.services import audit

from .measures import parties_text
from .models import Measure, Party, WavePublication, WaveResult
from .public import indicator_choices
from .services import CatalogueMismatchError, PublishRefusedError, wave_publish


def _coordinator(request: HttpRequest) -> bool:
    return has_role(request.user, Role.COORDINATOR, Role.ADMIN)


@admin.register(WaveResult)
class WaveResultAdmin(KommunScopedAdmin[WaveResult]):
    list_display = ["name", "slug", "opens_at", "closes_at", "status", "published_at"]
    list_filter = [("municipality", admin.RelatedOnlyFieldListFilter)]
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
class WavePublicationAdmin(KommunScopedAdmin[WavePublication]):
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


class MeasureAdminForm(forms.ModelForm[Measure]):
    """Parties and indicators as checkboxes; districts only of the measure's kommun."""

    responsible = forms.MultipleChoiceField(
        label=_("Ansvariga"),
        choices=Party.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst en ansvarig.")},
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indikatorer"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De indikatorer i lägesbilden som åtgärden ska påverka."),
        error_messages={
            "required": _("Välj minst en indikator."),
            "invalid_choice": _("Indikatorn %(value)s finns inte i lägesbildens katalog."),
        },
    )

    class Meta:
        model = Measure
        fields = [
            "municipality",
            "title",
            "description",
            "responsible",
            "indicators",
            "districts",
            "started_on",
            "status",
            "follow_up",
            "public",
            "public_text",
        ]
        # Checkboxes, not the stock two-box widget (its labels carry ARIA attributes they
        # may not have, axe), and the browser's own date input (the stock one's "Today"
        # link has an English accessible name).
        widgets = {
            "districts": forms.CheckboxSelectMultiple,
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            (value, capfirst(label)) for value, label in Party.choices
        ]
        self.fields["indicators"].choices = [  # type: ignore[attr-defined]
            (meta.code, meta.name) for meta in indicator_choices()
        ]
        districts: Any = self.fields["districts"]
        kommun_id = self._kommun_id()
        # The admin narrowed the choices to the user's kommuner (accounts.admin_scope).
        allowed = districts.queryset
        if kommun_id is not None and not self.is_bound:
            districts.queryset = allowed.filter(municipality_id=kommun_id).order_by("name")
        else:
            # Unknown kommun, or a posted form that `clean` checks with a clear message:
            # every district the user may choose, named with its kommun when there are
            # several.
            districts.queryset = allowed.select_related("municipality").order_by(
                "municipality__name", "name"
            )
            if self.fields["municipality"].queryset.count() > 1:  # type: ignore[attr-defined]
                districts.label_from_instance = lambda d: f"{d.name} ({d.municipality.name})"
        if kommun_id is not None and not self.instance.pk:
            self.fields["municipality"].initial = kommun_id

    def _kommun_id(self) -> int | None:
        """The measure's kommun: saved, or the only one the user may choose (else None)."""
        if self.instance.municipality_id:
            return self.instance.municipality_id
        choices = self.fields["municipality"].queryset  # type: ignore[attr-defined]
        ids = list(choices.values_list("pk", flat=True)[:2])
        return ids[0] if len(ids) == 1 else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kommun = cleaned.get("municipality")
        chosen = cleaned.get("districts")
        if kommun is not None and chosen is not None:
            foreign = [d.name for d in chosen if d.municipality_id != kommun.pk]
            if foreign:
                self.add_error(
                    "districts",
                    _("%(names)s hör inte till %(kommun)s. Välj bara områden i åtgärdens kommun.")
                    % {"names": ", ".join(sorted(foreign)), "kommun": kommun.name},
                )
        return cleaned


class PartyFilter(admin.SimpleListFilter):
    title = _("ansvarig")
    parameter_name = "ansvarig"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), str(capfirst(label))) for value, label in Party.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in Party.values:
            return queryset
        if connection.features.supports_json_field_contains:
            return queryset.filter(responsible__contains=[value])
        # SQLite (the embedded default) has no JSON containment; the plan is short.
        ids = [pk for pk, parties in queryset.values_list("pk", "responsible") if value in parties]
        return queryset.filter(pk__in=ids)


@admin.register(Measure)
class MeasureAdmin(KommunScopedAdmin[Measure]):
    """The åtgärdsplan: coordinators record the measures decided from the lägesbild."""

    form = MeasureAdminForm
    list_display = ["title", "municipality", "parties", "started_on", "status", "indicator_count"]
    list_filter = [("municipality", admin.RelatedOnlyFieldListFilter), "status", PartyFilter]
    search_fields = ["title", "description", "follow_up"]
    fieldsets = [
        (None, {"fields": ["municipality", "title", "description", "responsible"]}),
        (_("Vad åtgärden riktar sig mot"), {"fields": ["indicators", "districts"]}),
        (_("Tid och uppföljning"), {"fields": ["started_on", "status", "follow_up"]}),
        (_("Sidan för unga"), {"fields": ["public", "public_text"]}),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if db_field.name == "districts" and isinstance(widget, RelatedFieldWidgetWrapper):
            # A district added in a pop-up would not appear among the checkboxes; districts
            # are set up under Områden.
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    @admin.display(description=_("ansvariga"))
    def parties(self, measure: Measure) -> str:
        return parties_text(measure.responsible)

    @admin.display(description=_("indikatorer"))
    def indicator_count(self, measure: Measure) -> int:
        return len(measure.indicators or [])

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _coordinator(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _coordinator(request)

    # The åtgärdsplan is the kommun's record of what it decided: every change is in the
    # audit log as well as in the admin's own history.
    def save_model(self, request: HttpRequest, obj: Measure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        event = "measure changed" if change else "measure created"
        audit(request, event, measure_id=obj.pk, kommun=obj.municipality.code)

    def delete_model(self, request: HttpRequest, obj: Measure) -> None:
        measure_id, kommun = obj.pk, obj.municipality.code
        super().delete_model(request, obj)
        audit(request, "measure deleted", measure_id=measure_id, kommun=kommun)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Measure]) -> None:
        rows = list(queryset.values_list("pk", "municipality__code"))
        super().delete_queryset(request, queryset)
        for measure_id, kommun in rows:
            audit(request, "measure deleted", measure_id=measure_id, kommun=kommun)
