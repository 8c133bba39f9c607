"""Password change and reset on Django's views, with our templates and audit rows.

A reset only replaces the password: it never signs the person in and never touches the
second factor, so after a reset the login still asks for the authenticator code.
"""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .access import ALL_ROLES, role_required
from .services import audit

TEMPLATE = "accounts/form_page.html"


class PasswordChange(auth_views.PasswordChangeView):
    template_name = TEMPLATE
    success_url = reverse_lazy("accounts:home")
    extra_context = {"title": _("Byt lösenord"), "submit": _("Byt lösenord")}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        audit(self.request, "password changed")
        return response


class PasswordReset(auth_views.PasswordResetView):
    template_name = TEMPLATE
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "title": _("Glömt lösenordet"),
        "intro": _("Skriv din e-postadress så skickar vi en länk för att välja nytt lösenord."),
        "submit": _("Skicka länk"),
    }

    def form_valid(self, form: Any) -> HttpResponse:
        # The address is not logged: it may not belong to any account.
        audit(self.request, "password reset requested")
        return super().form_valid(form)


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = TEMPLATE
    extra_context = {
        "title": _("Kolla din e-post"),
        "intro": _(
            "Om adressen hör till ett konto har vi skickat en länk. Länken fungerar en gång."
        ),
    }


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = TEMPLATE
    post_reset_login = False  # never: the second factor must still be passed at login
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": _("Välj nytt lösenord"), "submit": _("Spara lösenordet")}

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        audit(form.user, "password reset")
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = TEMPLATE
    extra_context = {
        "title": _("Lösenordet är bytt"),
        "intro": _("Logga in med det nya lösenordet och koden från din autentiseringsapp."),
        "login_link": True,
    }


password_change = role_required(*ALL_ROLES)(PasswordChange.as_view())
