"""Who may see what, asked by every view, admin, export and task (long because all is here).

A user's roles are memberships (user × kommun × role, `accounts.models.Membership`); each
rule is a named policy over them (`VIEW_RESULTS`, `MANAGE_KOMMUN`, `ISSUE_CODES`,
`FOLLOW_PROGRESS`) with a function of the same meaning (`can_view_results(user, kommun)`,
`can_issue_codes(user, wave=…, school_class=…)`, …).

Deny by default:
- anonymous users are sent to the login page, signed-in users without the second factor
  to the verification step;
- a kommun the user has no membership in answers 404, never 403: its existence, its
  waves and its schools are not revealed;
- in their own kommun, a user without the policy's role gets 403 (and an audit row);
- objects outside a user's scope inside the kommun (another school) answer 404.

The system administrator (a membership without a kommun, or a Django superuser) holds
the admin role in every kommun.

`tests/accounts/access_matrix.py` requests every URL of the project as every persona,
in its own kommun and in another, with the statuses these policies give.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, Final

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .roles import ALL_ROLES, ROLE_LABELS, Role

if TYPE_CHECKING:
    from surveys.models import Municipality, School, SchoolClass, Wave

    from .models import StaffProfile

__all__ = [
    "ALL_ROLES",
    "ROLE_LABELS",
    "Role",
]

type AnyUser = User | AnonymousUser
type KommunRef = "Municipality | int"


@dataclass(frozen=True)
class Grant:
    """One membership as the access rules read it."""

    role: Role
    municipality_id: int | None  # None: every kommun (the system administrator)
    school_id: int | None = None


_GRANTS_ATTR = "_accounts_grants"


def grants_of(user: AnyUser) -> tuple[Grant, ...]:
    """The memberships of an active, signed-in user (read once per request and user
    object); a superuser holds the admin role in every kommun as well."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, _GRANTS_ATTR, None)
    if cached is not None:
        return cached
    from .models import Membership

    rows = Membership.objects.filter(user_id=user.pk).values_list(
        "role", "municipality_id", "school_id"
    )
    grants = [
        Grant(Role(role), kommun, school)
        for role, kommun, school in rows
        if role in Role._value2member_map_
    ]
    if getattr(user, "is_superuser", False):
        grants.append(Grant(Role.ADMIN, None))
    result = tuple(grants)
    setattr(user, _GRANTS_ATTR, result)
    return result


def forget_grants(user: AnyUser) -> None:
    """Drop the cached memberships and permissions of `user` (after a membership changed)."""
    for attr in (_GRANTS_ATTR, "_group_perm_cache", "_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def _kommun_id(kommun: KommunRef) -> int:
    return kommun if isinstance(kommun, int) else kommun.pk


def roles_of(user: AnyUser) -> frozenset[Role]:
    """Every role the user holds in any kommun (for the account page and audit rows)."""
    return frozenset(grant.role for grant in grants_of(user))


def has_role(user: AnyUser, *roles: Role) -> bool:
    """True when the user holds one of `roles` in some kommun. Pages of one kommun ask a
    policy with that kommun instead."""
    return not roles_of(user).isdisjoint(roles)


def is_system_admin(user: AnyUser) -> bool:
    return any(g.role is Role.ADMIN and g.municipality_id is None for g in grants_of(user))


def roles_in(user: AnyUser, kommun: KommunRef) -> frozenset[Role]:
    """The roles the user holds in `kommun` (the system administrator: admin in each)."""
    kommun_id = _kommun_id(kommun)
    return frozenset(g.role for g in grants_of(user) if g.municipality_id in (None, kommun_id))


def is_member(user: AnyUser, kommun: KommunRef) -> bool:
    """True when the user holds any role in `kommun`: otherwise it answers them 404."""
    return bool(roles_in(user, kommun))


def kommun_ids_of(user: AnyUser, roles: Iterable[Role] = ALL_ROLES) -> frozenset[int] | None:
    """Ids of the kommuner where the user holds one of `roles`; None means every kommun
    (the system administrator, when `roles` includes admin)."""
    wanted = frozenset(roles)
    ids: set[int] = set()
    for grant in grants_of(user):
        if grant.role not in wanted:
            continue
        if grant.municipality_id is None:
            return None
        ids.add(grant.municipality_id)
    return frozenset(ids)


def kommuner_of(user: AnyUser, roles: Iterable[Role] = ALL_ROLES) -> "QuerySet[Municipality]":
    """The kommuner where the user holds one of `roles`, by name."""
    from surveys.models import Municipality

    ids = kommun_ids_of(user, roles)
    everything = Municipality.objects.order_by("name")
    return everything if ids is None else everything.filter(pk__in=ids)


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class Policy:
    """A named rule: who, by role in the kommun concerned, may do one kind of thing."""

    name: str
    roles: frozenset[Role]
    description: str

    def allows(self, user: AnyUser, kommun: KommunRef) -> bool:
        return not roles_in(user, kommun).isdisjoint(self.roles)


# Published dashboards, exports and reports of the kommun (never an unpublished value).
VIEW_RESULTS: Final = Policy(
    "view_results",
    frozenset({Role.ADMIN, Role.COORDINATOR, Role.ANALYST}),
    "published dashboards, exports and reports of the kommun",
)
# Set-up of the kommun: the admin site's kommun data, boundaries, waves, publishing.
MANAGE_KOMMUN: Final = Policy(
    "manage_kommun",
    frozenset({Role.ADMIN, Role.COORDINATOR}),
    "set-up of the kommun: schools, waves, boundaries, publishing, the åtgärdsplan",
)
# One-time codes: coordinators for any class of the kommun, a school contact for their own.
ISSUE_CODES: Final = Policy(
    "issue_codes",
    frozenset({Role.ADMIN, Role.COORDINATOR, Role.SCHOOL_CONTACT}),
    "one-time codes for classes (a school contact: their own school's)",
)
# Response rates while a wave is open (counts only), narrowed to a contact's school.
FOLLOW_PROGRESS: Final = Policy(
    "follow_progress",
    frozenset({Role.ADMIN, Role.COORDINATOR, Role.SCHOOL_CONTACT}),
    "response rates of the kommun's waves (a school contact: their own school's)",
)
# Users, memberships, retention, the audit log of every kommun.
SYSTEM: Final = Policy(
    "system", frozenset({Role.ADMIN}), "users, memberships, retention and the audit log"
)
POLICIES: Final = (VIEW_RESULTS, MANAGE_KOMMUN, ISSUE_CODES, FOLLOW_PROGRESS, SYSTEM)


def can_view_results(user: AnyUser, kommun: KommunRef) -> bool:
    return VIEW_RESULTS.allows(user, kommun)


def can_manage_kommun(user: AnyUser, kommun: KommunRef) -> bool:
    return MANAGE_KOMMUN.allows(user, kommun)


def can_follow_progress(user: AnyUser, kommun: KommunRef) -> bool:
    return FOLLOW_PROGRESS.allows(user, kommun)


def comparison_kommuner(user: AnyUser) -> "QuerySet[Municipality]":
    """The kommuner the user sees side by side (kommun level, published cells only): each
    kommun where they may view results (the foundation: those it works with) and, when one
    of those agreed to be compared, every other kommun that agreed
    (`Municipality.shares_comparison`). By name."""

    from surveys.models import Municipality

    everything = Municipality.objects.order_by("name")
    ids = kommun_ids_of(user, VIEW_RESULTS.roles)
    if ids is None:
        return everything
    # One query: the others that agreed count only when one of the user's own agreed.
    own_agreed = Exists(Municipality.objects.filter(pk__in=ids, shares_comparison=True))
    return everything.filter(Q(pk__in=ids) | (Q(shares_comparison=True) & own_agreed))


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


def schools_of_contact(user: AnyUser) -> "QuerySet[School]":
    """The schools a school contact is bound to (one per membership), with their kommun."""
    from surveys.models import School

    ids = [g.school_id for g in grants_of(user) if g.role is Role.SCHOOL_CONTACT and g.school_id]
    return School.objects.filter(pk__in=ids).select_related("district__municipality")


def schools_visible_to(user: AnyUser, kommun: KommunRef) -> "QuerySet[School]":
    """Schools of `kommun` the user may see: all of them for its admins and coordinators,
    their own for a school contact, none for anyone else."""
    from surveys.models import School

    kommun_id = _kommun_id(kommun)
    of_kommun = School.objects.filter(district__municipality_id=kommun_id)
    roles = roles_in(user, kommun_id)
    if Role.ADMIN in roles or Role.COORDINATOR in roles:
        return of_kommun
    own = [
        g.school_id
        for g in grants_of(user)
        if g.role is Role.SCHOOL_CONTACT and g.municipality_id == kommun_id and g.school_id
    ]
    return of_kommun.filter(pk__in=own)


def waves_for_codes_of(
    user: AnyUser, waves: "QuerySet[Wave]", kommun: KommunRef
) -> "QuerySet[Wave]":
    """Of `waves`, those of `kommun` in which the user may issue codes: admins and
    coordinators any (issuing adds the class to the wave), a school contact only waves
    their school is in."""
    kommun_id = _kommun_id(kommun)
    waves = waves.filter(municipality_id=kommun_id)
    if can_manage_kommun(user, kommun_id):
        return waves
    return waves.filter(classes__school__in=schools_visible_to(user, kommun_id)).distinct()


def can_issue_codes(user: AnyUser, *, wave: "Wave", school_class: "SchoolClass") -> bool:
    """Wave and class of one kommun, and: its admins and coordinators for any class; a
    school contact for a class of their school that the coordinator has put in the wave."""
    kommun_id = wave.municipality_id
    if not ISSUE_CODES.allows(user, kommun_id):
        return False
    if not schools_visible_to(user, kommun_id).filter(pk=school_class.school_id).exists():
        return False  # another kommun's class, or another school's
    if can_manage_kommun(user, kommun_id):
        return True
    return wave.classes.filter(pk=school_class.pk).exists()


def access_school(user: AnyUser, kommun: KommunRef, school_id: int) -> "School":
    """The school, or 404 when it does not exist or the user may not see it."""
    school = schools_visible_to(user, kommun).filter(pk=school_id).first()
    if school is None:
        raise Http404("No such school.")
    return school


# --------------------------------------------------------------------------- scoping

# The path from each kommun-bound model to its kommun: the one place that says which
# kommun a row belongs to. A row of a model in `SHARED_WITHOUT_KOMMUN` whose path is empty
# belongs to every kommun (the core questionnaire).
KOMMUN_PATHS: Final = {
    "surveys.municipality": "pk",
    "surveys.kommunhelpresource": "municipality",
    "surveys.district": "municipality",
    "surveys.school": "district__municipality",
    "surveys.schoolclass": "school__district__municipality",
    "surveys.wave": "municipality",
    "surveys.classkey": "wave__municipality",
    "surveys.accesscode": "wave__municipality",
    "surveys.questionnaireversion": "municipality",
    "lagesbild.waveresult": "municipality",
    "lagesbild.wavepublication": "wave__municipality",
    "lagesbild.measure": "municipality",
    "lagesbild.indicatorcell": "wave__municipality",
    "lagesbild.exportjob": "wave__municipality",
    "accounts.membership": "municipality",
}


SHARED_WITHOUT_KOMMUN: Final = frozenset({"surveys.questionnaireversion"})


def within_kommuner[M: Model](
    queryset: "QuerySet[M]", user: AnyUser, policy: Policy = MANAGE_KOMMUN
) -> "QuerySet[M]":
    """The rows of `queryset` in the kommuner where `policy` allows the user (all rows for
    the system administrator). Deny by default: a model without a path in `KOMMUN_PATHS`
    is a configuration error, never "all rows"."""
    label = queryset.model._meta.label_lower
    path = KOMMUN_PATHS.get(label)
    if path is None:
        raise ImproperlyConfigured(f"{label} has no path to its kommun in KOMMUN_PATHS")
    ids = kommun_ids_of(user, policy.roles)
    if ids is None:
        return queryset
    mine = Q(**{f"{path}__in": ids})
    if queryset.model._meta.label_lower in SHARED_WITHOUT_KOMMUN:
        mine |= Q(**{f"{path}__isnull": True})
    return queryset.filter(mine)


# --------------------------------------------------------------------------- views


def is_verified(user: AnyUser) -> bool:
    """True when the session has passed the second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and callable(check) and check())


def verify_url() -> str:
    return reverse("accounts:verify")


def _signed_in_refusal(request: HttpRequest) -> HttpResponseBase | None:
    """Login or second factor missing: the redirect that asks for it."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not is_verified(user):
        return redirect_to_login(request.get_full_path(), verify_url())
    return None


def _refuse(request: HttpRequest, required: object, kommun: "Municipality | None" = None) -> None:
    from .services import audit

    audit(request, "permission denied", kommun=kommun, required=required)
    raise PermissionDenied


def deny_reason(request: HttpRequest, allowed: frozenset[Role]) -> HttpResponseBase | None:
    """None when the request may pass (one of `allowed` in some kommun); otherwise the
    response that refuses it. Raises PermissionDenied (403) for a signed-in, verified user
    without the role, after writing an audit row. For pages of no one kommun."""
    refusal = _signed_in_refusal(request)
    if refusal is not None:
        return refusal
    if roles_of(request.user).isdisjoint(allowed):
        _refuse(request, required=sorted(allowed))
    return None


def role_required[**P, R: HttpResponseBase](
    *roles: Role,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], R]],
    Callable[Concatenate[HttpRequest, P], R | HttpResponseBase],
]:
    """View decorator for pages of no one kommun (the account page): only verified users
    with one of `roles` in some kommun get through. Every response is `no-store`."""
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


def kommun_of_request(request: HttpRequest, code: str) -> "Municipality":
    """The kommun of a staff URL's code, or 404 when it does not exist or the signed-in
    user holds no role in it (the same answer either way, and the same audit row, so
    that neither the answer nor its time tells the two apart). The row lets the operator
    see a user trying other kommuners' pages."""
    from surveys.models import Municipality

    from .services import audit

    kommun = Municipality.objects.filter(code=code).first()
    if kommun is None or not is_member(request.user, kommun):
        audit(request, "kommun refused", kommun=kommun, requested=code)
        raise Http404("No such kommun.")
    return kommun


def kommun_required(
    policy: Policy,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """View decorator for a staff page under `/<kommunkod>/`: the view receives the
    `Municipality` as `kommun` instead of its code.

    Anonymous → login; no second factor → verification; a kommun the user has no role in
    (or none of that code) → 404; a role in it but not the policy's → 403 and an audit
    row. Every response is `no-store`.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, kommun: str, **kwargs: Any
        ) -> HttpResponseBase:
            refusal = _signed_in_refusal(request)
            if refusal is not None:
                return refusal
            municipality = kommun_of_request(request, kommun)
            if not policy.allows(request.user, municipality):
                _refuse(request, required=policy.name, kommun=municipality)
            request.kommun = municipality  # type: ignore[attr-defined]
            response = view(request, *args, kommun=municipality, **kwargs)
            add_never_cache_headers(response)
            return response

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        wrapped.access_roles = policy.roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
