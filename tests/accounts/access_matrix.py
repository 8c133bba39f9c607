"""The access rule of every URL of the project: the table the permission matrix checks.

Adding a page? Add ONE line to RULES, keyed by the URL's name ("app:name"):

    "lagesbild:overview": Rule(KOMMUN),
    "surveys:codes": Rule(KOMMUN, kwargs={"school_id": "{school}"}, school_scoped=True),

A staff page under `/<kommunkod>/` is `Rule(KOMMUN)`: who may open it is not written
here but read from the policy its view declares (`accounts.access.kommun_required`), so
the table is generated from the access module.

`tests/accounts/test_access_matrix.py` enumerates every URL pattern of the project and
fails for any pattern without a rule here, then requests each one as every persona
(anonymous, signed in without the second factor, each role, an analyst of each
organisation, a school contact of the page's school and of another school, and a verified
user with no role) and asserts the status code:

- public page (roles=None): `ok` for everyone;
- otherwise: anonymous → 302 to login, no second factor → 302 to verification,
  on a kommun page a persona with no role in that kommun → 404 (never 403), verified
  without one of `roles` → 403, a school contact of another school on a `school_scoped`
  page → 404, everyone else → `ok`;
- `overrides` sets the status of named personas where a page has logic of its own.

Every kommun page is requested in the page's kommun, in a second kommun with its own
staff, waves and schools, and under a code no kommun has.

Denied responses must not contain any name or number of the test world (no result data).
Path parameters are filled from `kwargs` (placeholders in braces come from the test world:
{school}, {other_school}, {school_class}, {wave}, {open_wave}, {district}, {municipality},
{totp_device}, {no_role_user}, {questionnaire}, {missing_uuid}; the kommun's own objects
are filled in per kommun;
add new ones in `world()` of the test), or "1" when not given. A pattern whose route is a
regular expression needs `path`. Glob keys ("admin:surveys_*") are allowed only for the
admin site, whose URLs Django generates per model.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from accounts.access import ALL_ROLES, VIEW_RESULTS, Role

# Role sets used by the rules.
ADMIN_ONLY = frozenset({Role.ADMIN})
ADMIN_SITE = frozenset({Role.ADMIN, Role.COORDINATOR})
STAFF = ALL_ROLES
# A staff page of one kommun: its roles are its view's policy.
KOMMUN: Final = "kommun"

# Persona names (see the test's `world()`).
ANONYMOUS = "anonymous"
UNVERIFIED = "unverified"
VERIFIED = (
    "admin",  # the system administrator: every kommun
    "coordinator",
    "analyst_kommun",
    "analyst_polis",
    "analyst_ideer",
    "school_contact",
    "other_school_contact",
    "no_role",
    "coordinator_b",  # the second kommun's staff
    "analyst_b",
    "school_contact_b",
    "foundation",  # an analyst in both kommuner
)
PERSONAS = (ANONYMOUS, UNVERIFIED, *VERIFIED)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] | Literal["kommun"] | None  # None: a public page
    ok: int | frozenset[int] = 200  # status of a permitted GET
    kwargs: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None  # a literal path (placeholders allowed) instead of the route
    school_scoped: bool = False
    overrides: Mapping[str, int] = field(default_factory=dict)

    @property
    def kommun(self) -> bool:
        return self.roles == KOMMUN


PUBLIC = None
SIGNED_IN_REDIRECTS = dict.fromkeys(VERIFIED, 302)
ADMIN_PAGES = frozenset({200, 302})  # a change page of a missing object redirects

RULES: dict[str, Rule] = {
    # Pupils (no login).
    "surveys:start": Rule(PUBLIC),
    "surveys:healthz": Rule(PUBLIC, ok=frozenset({200, 503})),
    "set_language": Rule(PUBLIC, ok=302),
    # The pupil flow: without a pupil's session every step sends back to the code entry.
    "surveys:language": Rule(PUBLIC, ok=302),
    "surveys:info": Rule(PUBLIC, ok=302),
    "surveys:page": Rule(PUBLIC, ok=302, kwargs={"number": "1"}),
    "surveys:leave": Rule(PUBLIC, ok=302),
    "surveys:thanks": Rule(PUBLIC, kwargs={"version": "{questionnaire}", "language": "sv"}),
    # Staff pages of the survey: codes and response rates, scoped to the user's schools.
    "surveys:codes_issue": Rule(KOMMUN),
    "surveys:response_rates": Rule(KOMMUN),
    # Dashboards: published results for analysts, coordinators and admins (the same for
    # all; no role sees an unpublished wave); boundary import for the admin site roles.
    "lagesbild:overview": Rule(KOMMUN),
    "lagesbild:indicator": Rule(KOMMUN, kwargs={"code": "EXP02"}),
    "lagesbild:district": Rule(KOMMUN, kwargs={"code": "{district}"}),
    "lagesbild:map": Rule(KOMMUN),
    "lagesbild:shapes_import": Rule(KOMMUN),
    # An address without the kommun code: the same page in the user's one kommun (302),
    # or a choice of kommuner for a user of several (200).
    "to_own_kommun": Rule(STAFF, ok=frozenset({200, 302}), path="/lagesbild/"),
    # Kommuner side by side: readers of results in any kommun; what it shows is per user
    # (tests/lagesbild/test_across.py).
    "across": Rule(VIEW_RESULTS.roles),
    # Exports of published cells and the PDF report: the same readers as the dashboards.
    # A job belongs to the user who asked: anyone else (even an admin) gets 404.
    "lagesbild_export:csv": Rule(
        KOMMUN, path="/{municipality}/lagesbild/export/celler.csv?wave={wave}"
    ),
    "lagesbild_export:xlsx": Rule(
        KOMMUN, path="/{municipality}/lagesbild/export/celler.xlsx?wave={wave}"
    ),
    "lagesbild_export:notes": Rule(
        KOMMUN, path="/{municipality}/lagesbild/export/metod.txt?wave={wave}"
    ),
    "lagesbild_export:report": Rule(
        KOMMUN, path="/{municipality}/lagesbild/export/rapport/?wave={wave}"
    ),
    "lagesbild_export:job": Rule(KOMMUN, ok=404, kwargs={"job_id": "{missing_uuid}"}),
    "lagesbild_export:job_status": Rule(KOMMUN, ok=404, kwargs={"job_id": "{missing_uuid}"}),
    "lagesbild_export:job_file": Rule(KOMMUN, ok=404, kwargs={"job_id": "{missing_uuid}"}),
    # Results for young people: public, per kommun code; the world's published wave has
    # its page on (an unpublished wave's page is a 404 for everyone: tests/lagesbild/
    # test_youth.py).
    "youth:index": Rule(PUBLIC, path="/{municipality}/vad-sa-unga/"),
    "youth:wave": Rule(PUBLIC, path="/{municipality}/vad-sa-unga/{wave}/"),
    "youth:wave_language": Rule(PUBLIC, path="/{municipality}/vad-sa-unga/{wave}/en/"),
    "youth:poster": Rule(PUBLIC, path="/{municipality}/vad-sa-unga/{wave}/sv/affisch.pdf"),
    "youth:lesson": Rule(PUBLIC, path="/{municipality}/vad-sa-unga/{wave}/sv/lektion.pdf"),
    # Open data of a kommun that opted in (the test world's kommun has): public files of
    # published waves only.
    "opendata:index": Rule(PUBLIC, path="/{municipality}/oppna-data/"),
    "opendata:catalog": Rule(PUBLIC, path="/{municipality}/oppna-data/catalog.rdf"),
    "opendata:schema": Rule(PUBLIC, path="/{municipality}/oppna-data/schema/celler-v1.json"),
    "opendata:csv": Rule(PUBLIC, path="/{municipality}/oppna-data/{wave}.csv"),
    "opendata:json": Rule(PUBLIC, path="/{municipality}/oppna-data/{wave}.json"),
    # Accounts: login steps and the account page.
    "accounts:home": Rule(STAFF),
    "accounts:login": Rule(PUBLIC, overrides=SIGNED_IN_REDIRECTS),
    "accounts:verify": Rule(PUBLIC, overrides={ANONYMOUS: 302, **SIGNED_IN_REDIRECTS}),
    "accounts:enrol": Rule(PUBLIC, overrides={ANONYMOUS: 302, UNVERIFIED: 302}),
    "accounts:recovery_codes": Rule(STAFF, ok=405),  # POST only
    "accounts:logout": Rule(PUBLIC, ok=405),  # POST only
    "accounts:password_change": Rule(STAFF),
    "accounts:password_reset": Rule(PUBLIC),
    "accounts:password_reset_done": Rule(PUBLIC),
    "accounts:password_reset_confirm": Rule(PUBLIC, kwargs={"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Rule(PUBLIC),
    # The admin site: admins and coordinators; model permissions narrow coordinators.
    "admin:login": Rule(PUBLIC, ok=302),
    "admin:logout": Rule(ADMIN_SITE),
    "admin:index": Rule(ADMIN_SITE),
    "admin:password_change": Rule(ADMIN_SITE),
    "admin:password_change_done": Rule(ADMIN_SITE),
    "admin:jsi18n": Rule(ADMIN_SITE),
    "admin:autocomplete": Rule(
        ADMIN_SITE,
        path="/admin/autocomplete/?app_label=surveys&model_name=schoolclass&field_name=school",
    ),
    "admin:view_on_site": Rule(ADMIN_SITE, ok=404),
    "admin:app_list": Rule(ADMIN_SITE, path="/admin/surveys/"),
    "admin/(?P<url>.*)$": Rule(ADMIN_SITE, path="/admin/finns-inte/", ok=404),
    "admin:surveys_*": Rule(ADMIN_SITE, ok=ADMIN_PAGES),
    "admin/surveys/*": Rule(ADMIN_SITE, ok=ADMIN_PAGES),
    "admin:lagesbild_*": Rule(ADMIN_SITE, ok=ADMIN_PAGES),
    "admin/lagesbild/*": Rule(ADMIN_SITE, ok=ADMIN_PAGES),
    "admin:auth_*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin/auth/*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin:otp_*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin/otp_*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin:axes_*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin/axes/*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin:accounts_*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    "admin/accounts/*": Rule(ADMIN_ONLY, ok=ADMIN_PAGES),
    # The audit log is append-only: even the admin cannot add, change or delete.
    "admin:accounts_auditlog_add": Rule(ADMIN_ONLY, overrides={"admin": 403}),
    "admin:accounts_auditlog_delete": Rule(ADMIN_ONLY, overrides={"admin": 403}),
    "admin:auth_user_password_change": Rule(ADMIN_ONLY, kwargs={"id": "{no_role_user}"}),
    # A device's secret (its key as QR code) is never shown, not even to the admin; and no
    # device is added in the admin (only its user enrols one). django-otp's own views
    # answer 500 for a missing device: use an existing one.
    "admin:otp_totp_totpdevice_config": Rule(
        ADMIN_ONLY, kwargs={"pk": "{totp_device}"}, overrides={"admin": 403}
    ),
    "admin:otp_totp_totpdevice_qrcode": Rule(
        ADMIN_ONLY, kwargs={"pk": "{totp_device}"}, overrides={"admin": 403}
    ),
    "admin:otp_*_add": Rule(ADMIN_ONLY, overrides={"admin": 403}),
    "admin:surveys_questionnaireversion_export": Rule(
        ADMIN_SITE, kwargs={"pk": "{questionnaire}", "kind": "yaml"}
    ),
    # A kommun is added or removed only by the system administrator (or create_kommun).
    **{
        f"admin:surveys_municipality_{action}": Rule(
            ADMIN_SITE, ok=ADMIN_PAGES, overrides={"coordinator": 403, "coordinator_b": 403}
        )
        for action in ("add", "delete")
    },
    # The core questionnaire (the world's, no kommun) is removed only by the system
    # administrator (a wave uses it, so the admin's page says it cannot be removed).
    "admin:surveys_questionnaireversion_delete": Rule(
        ADMIN_SITE,
        kwargs={"object_id": "{questionnaire}"},
        overrides={"coordinator": 403, "coordinator_b": 403},
    ),
    # Questionnaire versions come only from an import (file or XLSForm), never a blank form.
    "admin:surveys_questionnaireversion_add": Rule(
        ADMIN_SITE, overrides={"admin": 403, "coordinator": 403, "coordinator_b": 403}
    ),
    # Publications and wave results are written only by the aggregation and publishing.
    **{
        f"admin:lagesbild_{model}_{action}": Rule(
            ADMIN_SITE, overrides={"admin": 403, "coordinator": 403, "coordinator_b": 403}
        )
        for model in ("waveresult", "wavepublication")
        for action in ("add", "delete")
    },
    # Lockout records come from failed logins only.
    "admin:axes_*_add": Rule(ADMIN_ONLY, overrides={"admin": 403}),
    # The role groups are defined in code and synced after every migrate: read-only.
    "admin:auth_group_add": Rule(ADMIN_ONLY, overrides={"admin": 403}),
    "admin:auth_group_delete": Rule(ADMIN_ONLY, overrides={"admin": 403}),
}
