"""Login with two factors, enrolment, recovery codes, logout and the account page."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import otp
from .access import (
    ALL_ROLES,
    FOLLOW_PROGRESS,
    ISSUE_CODES,
    ROLE_LABELS,
    VIEW_RESULTS,
    AnyUser,
    comparison_kommuner,
    is_system_admin,
    is_verified,
    kommuner_of,
    organisation_of,
    role_required,
    roles_in,
    roles_of,
)
from .admin_site import ADMIN_SITE_ROLES
from .forms import EnrolForm, TokenForm
from .services import audit, session_track


def _next_url(request: HttpRequest) -> str:
    """The safe `next` address the login was asked with, or "" for none."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _done(request: HttpRequest, next_url: str) -> HttpResponseBase:
    """After the second factor: the `next` address, or the user's landing page (known
    only now that the user is known)."""
    return redirect(next_url or landing_url(request.user))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_factor_done(request: HttpRequest) -> None:
    """A new session key once the second factor passes (no fixation across privilege)."""
    request.session.cycle_key()
    if request.session.session_key:
        session_track(user=request.user, session_key=request.session.session_key)  # type: ignore[arg-type]


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponseBase:
    """Step one: username and password. Step two is `verify` (or `enrol` the first time)."""
    next_url = _next_url(request)
    if request.user.is_authenticated and is_verified(request.user):
        return _done(request, next_url)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        target = "accounts:verify" if otp.has_confirmed_device(user) else "accounts:enrol"
        return redirect(_with_next(reverse(target), next_url))
    context = {"form": form, "next": next_url, "demo": settings.DEBUG}
    return render(request, "accounts/login.html", context)


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def verify(request: HttpRequest) -> HttpResponseBase:
    """Step two: a code from the authenticator app or a recovery code."""
    next_url = _next_url(request)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url or reverse("accounts:home"), settings.LOGIN_URL)
    if is_verified(user):
        return _done(request, next_url)
    if not otp.has_confirmed_device(user):
        return redirect(_with_next(reverse("accounts:enrol"), next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            _second_factor_done(request)
            audit(request, "2fa verified", method=otp.device_kind(device))
            return _done(request, next_url)
        audit(request, "2fa failed")
        form.add_error(
            "token", _("Koden stämmer inte eller är redan använd. Vänta en stund och försök igen.")
        )
    context = {"form": form, "next": next_url, "demo": settings.DEBUG}
    return render(request, "accounts/verify.html", context)


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def enrol(request: HttpRequest) -> HttpResponseBase:
    """Set up the authenticator app; shows the recovery codes once when done.

    Someone who already has a confirmed device must pass it first, so a stolen password
    alone can never replace the second factor.
    """
    next_url = _next_url(request)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if otp.has_confirmed_device(user) and not is_verified(user):
        return redirect(_with_next(reverse("accounts:verify"), request.get_full_path()))
    device = otp.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.enrol_confirm(user, device, form.cleaned_data["token"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            _second_factor_done(request)
            audit(request, "2fa enrolled")
            return render(
                request,
                "accounts/recovery_codes.html",
                {
                    "codes": codes,
                    "next": next_url or landing_url(user),
                    "fresh_enrolment": True,
                },
            )
        audit(request, "2fa enrolment failed")
        form.add_error("token", _("Koden stämmer inte. Kontrollera klockan i telefonen."))
    context = {
        "form": form,
        "next": next_url,
        "qr": otp.qr_data_uri(device),
        "secret": device.config_url.split("secret=")[1].split("&")[0],
    }
    return render(request, "accounts/enrol.html", context)


@role_required(*ALL_ROLES)
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working) and show the new ones once."""
    codes = otp.recovery_codes_replace(request.user)  # type: ignore[arg-type]
    audit(request, "recovery codes replaced")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


@require_POST
@csrf_protect
def logout(request: HttpRequest) -> HttpResponseBase:
    """Ends the server session (flushes it), not only the cookie."""
    auth_logout(request)
    messages.info(request, _("Du är utloggad."))
    return redirect(settings.LOGIN_URL)


# The staff pages of one kommun, in this order: (URL name, label, policy).
KOMMUN_PAGES = (
    ("lagesbild:overview", gettext_lazy("Lägesbild"), VIEW_RESULTS),
    ("surveys:codes_issue", gettext_lazy("Engångskoder"), ISSUE_CODES),
    ("surveys:response_rates", gettext_lazy("Svarsfrekvens"), FOLLOW_PROGRESS),
)


@dataclass(frozen=True)
class KommunPages:
    """One kommun's name and the user's pages in it."""

    code: str
    name: str
    roles: tuple[str, ...]
    pages: tuple[tuple[str, str], ...]


def kommun_pages(user: AnyUser) -> list[KommunPages]:
    """Every kommun the user holds a role in, with the pages the policies let them open."""
    result = []
    for kommun in kommuner_of(user):
        roles = roles_in(user, kommun)
        pages = tuple(
            (reverse(name, args=[kommun.code]), str(label))
            for name, label, policy in KOMMUN_PAGES
            if not roles.isdisjoint(policy.roles)
        )
        labels = tuple(str(ROLE_LABELS[role]) for role in sorted(roles))
        result.append(KommunPages(kommun.code, kommun.name, labels, pages))
    return result


def landing_url(user: AnyUser) -> str:
    """Where a login without a `next` address lands: for a user of one kommun, their first
    page there (the lägesbild for analysts and coordinators, the codes for a school
    contact); for a user of several kommuner (or none), the account page, which lists
    them; the admin site for a system administrator of an install without a kommun."""
    kommuner = kommun_pages(user)
    if len(kommuner) == 1 and kommuner[0].pages:
        return kommuner[0].pages[0][0]
    if not kommuner and not roles_of(user).isdisjoint(ADMIN_SITE_ROLES):
        return reverse("admin:index")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@role_required(*ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The account page: who you are, your kommuner, roles and pages."""
    context = {
        "kommuner": kommun_pages(request.user),
        "system_admin": is_system_admin(request.user),
        "may_use_admin": not roles_of(request.user).isdisjoint(ADMIN_SITE_ROLES),
        "may_compare": comparison_kommuner(request.user).count() >= 2,
        "organisation": organisation_of(request.user),
    }
    return render(request, "accounts/home.html", context)


@role_required(*ALL_ROLES)
def to_own_kommun(request: HttpRequest, section: str, rest: str) -> HttpResponseBase:
    """An address without a kommun code (`/lagesbild/…`, `/skola/…`, from before staff
    pages were per kommun): the same page in the user's kommun; with several kommuner, a
    choice of them."""
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    kommuner = list(kommuner_of(request.user))
    targets = [(k, f"/{k.code}/{section}/{rest}{query}") for k in kommuner]
    if len(targets) == 1:
        return redirect(targets[0][1])
    return render(request, "accounts/choose_kommun.html", {"targets": targets})
