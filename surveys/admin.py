"""Admin for geography, questionnaires, waves and codes (long because of the wave form)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.access import is_system_admin, within_kommuner
from accounts.admin_scope import KommunScopedAdmin

from . import languages, selectors, services
from . import questionnaire as qn
from .code_sheet import code_sheet_response
from .models import (
    District,
    KommunHelpResource,
    Municipality,
    QuestionnaireVersion,
    School,
    SchoolClass,
    Wave,
    classes_of_other_kommun,
    other_kommun_message,
)

# Every class here is narrowed to the kommuner the user coordinates (accounts.admin_scope);
# the system administrator sees every kommun.

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class KommunHelpResourceInline(admin.StackedInline[KommunHelpResource, Municipality]):
    model = KommunHelpResource
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(KommunScopedAdmin[Municipality]):
    """A coordinator edits their own kommun's settings and its help resources for pupils;
    only the system administrator adds or removes a kommun (or `manage.py create_kommun`)."""

    inlines = [KommunHelpResourceInline]
    list_display = ["name", "code", "open_data", "shares_comparison"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        # A kommun's code is its address (/<kod>/…) and, with its name, its identity.
        if obj is not None and not is_system_admin(request.user):
            return ["code", "name"]
        return []

    list_filter = ["open_data", "shares_comparison"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_system_admin(request.user)


@admin.register(District)
class DistrictAdmin(KommunScopedAdmin[District]):
    list_display = ["name", "code", "kind", "police_area", "municipality"]
    list_filter = [("municipality", RELATED_ONLY), "kind", "police_area"]
    search_fields = ["name", "code"]


class SchoolClassInline(admin.StackedInline[SchoolClass, School]):
    # Stacked, not tabular: the tabular inline's header has an empty cell (axe).
    model = SchoolClass
    extra = 0


@admin.register(School)
class SchoolAdmin(KommunScopedAdmin[School]):
    list_display = ["name", "district", "kind"]
    list_filter = ["kind", ("district__municipality", RELATED_ONLY), ("district", RELATED_ONLY)]
    search_fields = ["name", "district__name"]
    inlines = [SchoolClassInline]


class IssueCodesActionForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), label=_("Omgång"))
    count = forms.IntegerField(label=_("Antal koder per klass"), min_value=1, max_value=200)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The waves of the kommuner the user coordinates.
        waves = within_kommuner(selectors.waves_for_codes(), request.user)
        self.fields["wave"].queryset = waves  # type: ignore[attr-defined]


@admin.register(SchoolClass)
class SchoolClassAdmin(KommunScopedAdmin[SchoolClass]):
    list_display = ["name", "school", "grade", "expected_size"]
    list_filter = ["grade", "school__kind", ("school__district", RELATED_ONLY)]
    search_fields = ["name", "school__name"]
    list_select_related = ["school"]
    actions = ["issue_codes"]

    @admin.action(description=_("Skapa engångskoder (PDF)"))
    def issue_codes(
        self, request: HttpRequest, queryset: QuerySet[SchoolClass]
    ) -> HttpResponse | None:
        """Ask for wave and count, then answer with one PDF of all selected classes."""
        form = IssueCodesActionForm(
            request.POST if "count" in request.POST else None, request=request
        )
        if form.is_bound and form.is_valid():
            wave = form.cleaned_data["wave"]
            sheets = []
            try:
                # All classes or none: codes of earlier classes must not be created when a
                # later one is refused, since the PDF is their only copy.
                with transaction.atomic():
                    for school_class in queryset.select_related("school"):
                        codes = services.codes_issue(
                            wave=wave,
                            school_class=school_class,
                            count=form.cleaned_data["count"],
                            by=request,
                        )
                        sheets.append((school_class, codes))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            return code_sheet_response(request, wave=wave, sheets=sheets, name=f"koder-{wave.slug}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Skapa engångskoder"),
            "form": form,
            "classes": queryset.select_related("school"),
            "action": "issue_codes",
            "opts": self.model._meta,
        }
        return render(request, "admin/surveys/issue_codes.html", context)


class QuestionnaireImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"), help_text=_("YAML (.yaml, .yml), JSON (.json) eller XLSForm (.xlsx).")
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(),
        label=_("Kommun"),
        help_text=_("Kommunens egen version syns och används bara i den kommunen."),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["municipality"]
        field.queryset = within_kommuner(Municipality.objects.order_by("name"), request.user)
        self.only_kommun: Municipality | None = None
        if is_system_admin(request.user):
            # The system administrator imports the core questionnaire of every kommun.
            field.required = False
            field.empty_label = _("Alla kommuner (kärnenkät)")
        elif field.queryset.count() == 1:
            # A coordinator of one kommun has nothing to choose.
            self.only_kommun = field.queryset.first()
            del self.fields["municipality"]

    def kommun(self) -> Municipality | None:
        """The owner of the imported version (None: the core questionnaire)."""
        chosen: Municipality | None = self.cleaned_data.get("municipality")
        return self.only_kommun or chosen


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(KommunScopedAdmin[QuestionnaireVersion]):
    """The core questionnaire (no kommun) for everyone; a kommun's own versions for that
    kommun only. Only the system administrator removes a core version; nobody removes a
    version a wave uses."""

    list_display = [
        "title",
        "code",
        "version",
        "owner",
        "locked",
        "created_at",
        "export_links",
    ]
    list_filter = ["code", "locked"]
    search_fields = ["title", "code"]
    # Versions change only by import, and never once a wave uses them.
    readonly_fields = ["code", "version", "title", "definition", "locked", "created_at"]
    change_list_template = "admin/surveys/questionnaireversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: QuestionnaireVersion | None = None
    ) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.municipality_id is None:
            return is_system_admin(request.user)
        return True

    @admin.display(description=_("kommun"))
    def owner(self, obj: QuestionnaireVersion) -> str:
        return obj.municipality.name if obj.municipality else str(_("alla (kärnenkät)"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "importera/",
                self.admin_site.admin_view(self.import_view),
                name="surveys_questionnaireversion_import",
            ),
            path(
                "<int:pk>/exportera/<str:kind>/",
                self.admin_site.admin_view(self.export_view),
                name="surveys_questionnaireversion_export",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description=_("Exportera"))
    def export_links(self, obj: QuestionnaireVersion) -> str:
        links = [
            (reverse("admin:surveys_questionnaireversion_export", args=[obj.pk, kind]), label)
            for kind, label in (("yaml", "YAML"), ("xlsx", "XLSForm"))
        ]
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', *[v for link in links for v in link]
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = QuestionnaireImportForm(request.POST or None, request.FILES or None, request=request)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                parsed = services.questionnaire_parse(name=upload.name, content=upload.read())
                version, created = services.questionnaire_import(
                    questionnaire=parsed, municipality=form.kommun()
                )
            except qn.QuestionnaireError as error:
                problems = [str(problem) for problem in error.problems]
            except ValidationError as error:
                problems = list(error.messages)
            else:
                message = (
                    _("Importerade %(v)s.") if created else _("%(v)s fanns redan; uppdaterad.")
                )
                self.message_user(request, message % {"v": version}, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:surveys_questionnaireversion_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Importera enkätversion"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/surveys/questionnaireversion/import.html", context)

    def export_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        parsed = qn.load_questionnaire(version.definition)
        name = f"{version.code.lower()}-v{version.version}"
        if kind == "xlsx":
            response = HttpResponse(
                qn.to_xlsform(parsed),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = HttpResponse(qn.to_yaml(parsed), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
        return response


# The browser's own date and time input: the stock admin widget's "Today" and "Now" links
# carry an English accessible name beside Swedish text (axe). A plain DateTimeField reads
# what that input sends (the admin's own field expects a date and a time apart).
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"


def _local_datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME),
    )


class WaveAdminForm(forms.ModelForm[Wave]):
    """The coordinator chooses the languages a wave offers; each shows its status."""

    opens_at = _local_datetime_field(_("öppnar"))
    closes_at = _local_datetime_field(_("stänger"))

    languages = forms.MultipleChoiceField(
        label=_("Språk för eleverna"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Ogranskade översättningar visas bara om du väljer dem. Inget val: de granskade "
            "språken. Svenska finns alltid med."
        ),
    )

    class Meta:
        model = Wave
        fields = [
            "municipality",
            "name",
            "slug",
            "questionnaire",
            "opens_at",
            "closes_at",
            "classes",
            "languages",
            "analysis_text",
        ]
        # Checkboxes, not the stock two-box filter widget, whose labels carry ARIA
        # attributes they may not have (axe), and which needs JavaScript.
        widgets = {"classes": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.questionnaire if self.instance.questionnaire_id else None
        document = qn.load_questionnaire(version.definition) if version else None
        choices = []
        for code in languages.INTERFACE_LANGUAGES:
            if document is None:
                status = _("granskad") if languages.interface_checked(code) else _("ogranskad")
            elif code not in document.languages:
                status = _("finns inte i enkätversionen")
            elif languages.checked(document, code):
                status = _("granskad")
            else:
                status = _("ogranskad")
            choices.append((code, f"{languages.name(code)} ({status})"))
        self.fields["languages"].choices = choices  # type: ignore[attr-defined]
        # Only the wave's own kommun's classes are offered once it has a kommun; a new
        # wave's choice is checked against the kommun chosen with it (`clean`).
        if self.instance.municipality_id is not None and "classes" in self.fields:
            offered = self.fields["classes"].queryset  # type: ignore[attr-defined]
            self.fields["classes"].queryset = offered.filter(  # type: ignore[attr-defined]
                school__district__municipality_id=self.instance.municipality_id
            ).select_related("school")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = cleaned.get("questionnaire")
        chosen = cleaned.get("languages") or []
        if version is not None and chosen:
            document = qn.load_questionnaire(version.definition)
            missing = [code for code in chosen if code not in languages.available(document)]
            if missing:
                self.add_error(
                    "languages",
                    _("Enkätversionen har inga texter på: %(codes)s.")
                    % {"codes": ", ".join(missing)},
                )
        municipality = cleaned.get("municipality") or (
            self.instance.municipality if self.instance.municipality_id else None
        )
        chosen_classes = cleaned.get("classes")
        if municipality is not None and chosen_classes:
            foreign = classes_of_other_kommun(
                municipality_id=municipality.pk, class_ids=[c.pk for c in chosen_classes]
            )
            if foreign:
                self.add_error("classes", other_kommun_message(foreign))
        return cleaned


@admin.register(Wave)
class WaveAdmin(KommunScopedAdmin[Wave]):
    form = WaveAdminForm
    list_display = [
        "name",
        "slug",
        "municipality",
        "questionnaire",
        "opens_at",
        "closes_at",
        "published_at",
    ]
    list_filter = [("municipality", RELATED_ONLY)]
    search_fields = ["name", "slug"]
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Wave | None = None) -> list[str]:
        # A published wave's dates, questionnaire and kommun are frozen with its report
        # (Wave.save refuses a change too), and so is the analysis it printed.
        if obj is not None and obj.is_published:
            return [
                "published_at",
                "municipality",
                "questionnaire",
                "opens_at",
                "closes_at",
                "analysis_text",
            ]
        return list(self.readonly_fields)
