"""Who may see what: the one module every view uses for access decisions.

Deny by default. Anonymous users are sent to the login page, signed-in users without the
second factor to the verification step, users without the role get 403 (and an audit
row), and objects outside a user's scope (another school) answer 404 so that their
existence is not revealed.

Every URL of the project also has a line in `tests/accounts/access_matrix.py`, the table
the permission-matrix test checks against every role.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, Final

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from surveys.models import School, SchoolClass, Wave

if TYPE_CHECKING:
    from .models import StaffProfile

type AnyUser = User | AnonymousUser


class Role(StrEnum):
    """A staff role; each is a Django group of the same name. Pupils never log in."""

    ADMIN = "admin"  # system administrator: users, roles, retention, the audit log
    COORDINATOR = "coordinator"  # samordnare: set-up, waves, codes, publishing
    ANALYST = "analyst"  # published dashboards and exports; carries an organisation
    SCHOOL_CONTACT = "school_contact"  # codes and response rates of one school


ALL_ROLES: Final = frozenset(Role)
# Who sees every school.
ALL_SCHOOLS_ROLES: Final = frozenset({Role.ADMIN, Role.COORDINATOR})

_ROLES_ATTR = "_accounts_roles"


def roles_of(user: AnyUser) -> frozenset[Role]:
    """The roles of an active, signed-in user (cached on the user object of the request)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, _ROLES_ATTR, None)
    if cached is not None:
        return cached
    names = user.groups.values_list("name", flat=True)
    roles = {Role(name) for name in names if name in Role._value2member_map_}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    result = frozenset(roles)
    setattr(user, _ROLES_ATTR, result)
    return result


def has_role(user: AnyUser, *roles: Role) -> bool:
    return not roles_of(user).isdisjoint(roles)


def _profile(user: AnyUser) -> "StaffProfile | None":
    if not user.is_authenticated:
        return None
    try:
        profile: StaffProfile = user.staff_profile
    except ObjectDoesNotExist:
        return None
    return profile


def organisation_of(user: AnyUser) -> str | None:
    """The user's organisation code (`kommun`, `polis`, `ideer`), or None."""
    profile = _profile(user)
    return (profile.organisation or None) if profile is not None else None


def school_of(user: AnyUser) -> School | None:
    """The one school a school contact is bound to (None for everyone else)."""
    if Role.SCHOOL_CONTACT not in roles_of(user):
        return None
    profile = _profile(user)
    return profile.school if profile is not None else None


def is_verified(user: AnyUser) -> bool:
    """True when the session has passed the second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and callable(check) and check())


def schools_visible_to(user: AnyUser) -> QuerySet[School]:
    """Admins and coordinators: every school; a school contact: their school; others: none."""
    roles = roles_of(user)
    if not roles.isdisjoint(ALL_SCHOOLS_ROLES):
        return School.objects.all()
    if Role.SCHOOL_CONTACT in roles:
        profile = _profile(user)
        if profile is not None and profile.school_id is not None:
            return School.objects.filter(pk=profile.school_id)
    return School.objects.none()


def waves_for_codes_of(user: AnyUser, waves: QuerySet[Wave]) -> QuerySet[Wave]:
    """Of `waves`, those in which the user may issue codes: admins and coordinators any
    (issuing adds the class to the wave), a school contact only waves their school is in."""
    if not roles_of(user).isdisjoint(ALL_SCHOOLS_ROLES):
        return waves
    return waves.filter(classes__school__in=schools_visible_to(user)).distinct()


def may_issue_codes(user: AnyUser, *, wave: Wave, school_class: SchoolClass) -> bool:
    """Admins and coordinators for any class of any wave; a school contact for a class of
    their school that the coordinator has put in the wave."""
    if not schools_visible_to(user).filter(pk=school_class.school_id).exists():
        return False
    if not roles_of(user).isdisjoint(ALL_SCHOOLS_ROLES):
        return True
    return wave.classes.filter(pk=school_class.pk).exists()


def access_school(user: AnyUser, school_id: int) -> School:
    """The school, or 404 when it does not exist or the user may not see it."""
    school = schools_visible_to(user).filter(pk=school_id).first()
    if school is None:
        raise Http404("No such school.")
    return school


def verify_url() -> str:
    return reverse("accounts:verify")


def deny_reason(request: HttpRequest, allowed: frozenset[Role]) -> HttpResponseBase | None:
    """None when the request may pass; otherwise the response that refuses it.

    Raises PermissionDenied (403) for a signed-in, verified user without the role, after
    writing an audit row.
    """
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not is_verified(user):
        return redirect_to_login(request.get_full_path(), verify_url())
    if roles_of(user).isdisjoint(allowed):
        from .services import audit

        audit(request, "permission denied", required=sorted(allowed))
        raise PermissionDenied
    return None


def role_required[**P, R: HttpResponseBase](
    *roles: Role,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], R]],
    Callable[Concatenate[HttpRequest, P], R | HttpResponseBase],
]:
    """View decorator: only verified users with one of `roles` get through.

    Anonymous → redirect to login; signed in without the second factor → redirect to the
    verification step; without the role → 403 and an audit row. Every response of a
    protected page is marked `Cache-Control: no-store` (it holds results or counts).
    """
    if not roles:
        raise ValueError("role_required needs at least one role")
    allowed = frozenset(roles)

    def decorator(
        view: Callable[Concatenate[HttpRequest, P], R],
    ) -> Callable[Concatenate[HttpRequest, P], R | HttpResponseBase]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: P.args, **kwargs: P.kwargs
        ) -> R | HttpResponseBase:
            refusal = deny_reason(request, allowed)
            if refusal is not None:
                return refusal
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        wrapped.access_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
