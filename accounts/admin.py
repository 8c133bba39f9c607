"""Admin for users with their role details, the read-only audit log with CSV export, and
the second-factor devices without their secrets."""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import Role, has_role
from .models import AuditLog, Membership, StaffProfile
from .services import audit

CSV_COLUMNS = [
    "at",
    "event",
    "actor_id",
    "actor_username",
    "roles",
    "organisation",
    "kommun",
    "ip_address",
    "path",
    "details",
]


class StaffProfileInline(admin.StackedInline[StaffProfile, User]):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = _("organisation")


class MembershipInline(admin.StackedInline[Membership, User]):
    """A user's roles: one row per kommun and role (the system administrator's without a
    kommun). The model's `clean` gives the Swedish errors (a school of another kommun, a
    school contact without a school). Stacked: the tabular inline's selects have no
    labels of their own (axe)."""

    model = Membership
    extra = 1
    fields = ["municipality", "role", "school"]
    verbose_name = _("roll i en kommun")
    verbose_name_plural = _("roller (medlemskap per kommun)")


class StaffUserAdmin(UserAdmin[User]):
    inlines = [StaffProfileInline, MembershipInline]
    list_display = ["username", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "memberships__municipality", "memberships__role"]
    # Roles are memberships (the inline); nobody gets groups or permissions one by one, so
    # the form leaves both out.
    fieldsets = tuple(
        (
            name,
            {
                **options,
                "fields": tuple(
                    f for f in options["fields"] if f not in ("user_permissions", "groups")
                ),
            },
        )
        for name, options in UserAdmin.fieldsets or ()
    )
    filter_horizontal = ()
    # Set by logging in and by creating the user, never by hand.
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        # Django redirects only after the form saved the new password (or turned password
        # login off); a refused form renders again with 200.
        if request.method == "POST" and response.status_code == 302:
            audit(request, "password set by admin", user_id=int(id))
        return response

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # the add form sets the first password
            audit(request, "user created by admin", user_id=obj.pk)


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


class RoleGroupAdmin(GroupAdmin):
    """The role groups hold each role's admin permissions; they are defined in code
    (`accounts.signals.sync_role_groups`) and synced after every migrate, so the admin
    shows them and changes nothing. Users hold roles through memberships, never groups."""

    readonly_fields = ["name", "permissions"]
    filter_horizontal = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)


# Second-factor devices: an admin may see that a device exists, when it was used and its
# throttling, and may delete it (a lost phone), but never read its secret (the TOTP key or
# its QR code, or the recovery codes), and never add one: whoever knows a device's secret
# holds that user's second factor. Devices are created only by their user's enrolment.
# settings.OTP_ADMIN_HIDE_SENSITIVE_DATA hides them on existing devices; these subclasses
# also keep them off the blank "add" form.
class TOTPDeviceWithoutKeyAdmin(TOTPDeviceAdmin):  # type: ignore[misc]
    search_help_text = None  # the package's is English only

    def get_fieldsets(self, request: HttpRequest, obj: TOTPDevice | None = None) -> Any:
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "key"]})
            for name, options in super().get_fieldsets(request, obj)
            if [f for f in options["fields"] if f not in {"key", "qrcode_link"}]
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class StaticDeviceWithoutCodesAdmin(StaticDeviceAdmin):  # type: ignore[misc]
    search_help_text = None  # the package's is English only
    inlines: list[type[Any]] = []  # the recovery codes: never shown

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceWithoutKeyAdmin)
admin.site.unregister(StaticDevice)
admin.site.register(StaticDevice, StaticDeviceWithoutCodesAdmin)


class _Echo:
    """csv.writer target that hands each line back instead of buffering the file."""

    def write(self, value: str) -> str:
        return value


class _SnapshotFilter(admin.SimpleListFilter):
    """An audit column's values, with a name for the rows without one (the stock filter
    would show an empty, unnamed link for them)."""

    NONE = "-"
    none_label = _("(ingen)")
    column = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        column = self.column
        values = AuditLog.objects.order_by(column).values_list(column, flat=True).distinct()
        return [(v or self.NONE, v or str(self.none_label)) for v in values]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(**{self.column: "" if value == self.NONE else value})


class OrganisationFilter(_SnapshotFilter):
    title = _("organisation")
    parameter_name = column = "organisation"
    none_label = _("(ingen organisation)")


class KommunFilter(_SnapshotFilter):
    title = _("kommun")
    parameter_name = column = "kommun"
    none_label = _("(ingen kommun)")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    """Append-only: nobody adds, changes or deletes rows here; only the system admin reads."""

    list_display = [c for c in CSV_COLUMNS if c not in ("actor_id", "details")]
    list_filter = ["event", OrganisationFilter, KommunFilter, ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_username", "event", "path"]
    date_hierarchy = "at"
    readonly_fields = CSV_COLUMNS
    change_list_template = "admin/accounts/auditlog/change_list.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="accounts_auditlog_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The rows the change list shows (same filters), streamed as CSV."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).order_by("at", "id")
        audit(request, "audit log exported", file_type="csv", filters=dict(request.GET.items()))

        def lines() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow(CSV_COLUMNS)
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow([getattr(row, column) for column in CSV_COLUMNS])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="granskningslogg-{stamp}.csv"'
        return response
