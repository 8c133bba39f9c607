"""The admin site behind the same login, second factor and role rules as every page."""

from collections.abc import Callable
from typing import Any, Final

from django.contrib import admin
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .access import Role, deny_reason, is_verified, roles_of
from .services import audit

# Coordinators set up geography, schools, questionnaires and waves here; model
# permissions of their group narrow what they see.
ADMIN_SITE_ROLES: Final = frozenset({Role.ADMIN, Role.COORDINATOR})


class TrygghetAdminSite(admin.AdminSite):
    site_header = _("Ungas trygghet – administration")
    site_title = _("Ungas trygghet")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and is_verified(user) and not roles_of(user).isdisjoint(ADMIN_SITE_ROLES)
        )

    def admin_view[V: Callable[..., HttpResponseBase]](self, view: V, cacheable: bool = False) -> V:
        inner = super().admin_view(view, cacheable)

        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refusal = deny_reason(request, ADMIN_SITE_ROLES)
            if refusal is not None:
                return refusal
            self._check_model_permission(request)
            response = inner(request, *args, **kwargs)
            # Admin pages show names and settings: never keep them in a browser cache.
            add_never_cache_headers(response)
            return response

        checked.csrf_exempt = getattr(inner, "csrf_exempt", False)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    def _check_model_permission(self, request: HttpRequest) -> None:
        """403 on every URL of a model the user has no permission on at all.

        Django checks object pages only after looking the object up, which would let a
        coordinator probe which users or devices exist (redirect vs 403); this closes it.
        """
        index = reverse(f"{self.name}:index")
        for model, model_admin in self._registry.items():
            prefix = f"{index}{model._meta.app_label}/{model._meta.model_name}/"
            if request.path.startswith(prefix):
                if not (
                    model_admin.has_view_or_change_permission(request)
                    or model_admin.has_add_permission(request)
                ):
                    audit(request, "permission denied", model=model._meta.label)
                    raise PermissionDenied
                return

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One login for the whole site, with the second factor.
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def logout(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        # The admin's own "log out" button posts here: end the server session like
        # accounts:logout does. A GET only shows the button.
        if request.method == "POST":
            auth_logout(request)
            return TemplateResponse(request, "accounts/admin_logout.html", {"logged_out": True})
        return TemplateResponse(request, "accounts/admin_logout.html")
