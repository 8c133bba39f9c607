"""Memberships: a role in one kommun, the rules that keep them sound, and the named
policies of `accounts.access` over them (the pages themselves: the access matrix)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.access import (
    Role,
    can_follow_progress,
    can_issue_codes,
    can_manage_kommun,
    can_view_results,
    comparison_kommuner,
    is_member,
    is_system_admin,
    kommuner_of,
    roles_in,
    schools_visible_to,
)
from accounts.models import Membership
from accounts.services import kommun_create, membership_end, membership_grant
from surveys.models import District, Municipality, School
from tests.accounts.accounts_helpers import make_staff
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def two() -> tuple[Municipality, Municipality]:
    a = Municipality.objects.create(code="9101", name="Aköping")
    b = Municipality.objects.create(code="9102", name="Beby")
    for kommun in (a, b):
        district = District.objects.create(municipality=kommun, code="C", name=f"Centrum {kommun}")
        School.objects.create(district=district, name=f"Skolan i {kommun}")
    return a, b


def _school(kommun: Municipality) -> School:
    return School.objects.get(district__municipality=kommun)


def test_a_role_holds_in_its_own_kommun_only(two: tuple[Municipality, Municipality]) -> None:
    a, b = two
    analyst = make_staff(Role.ANALYST, organisation="polis", kommun=a)
    coordinator = make_staff(Role.COORDINATOR, kommun=b)
    assert can_view_results(analyst, a) and not can_view_results(analyst, b)
    assert not is_member(analyst, b)
    assert can_manage_kommun(coordinator, b) and not can_manage_kommun(coordinator, a)
    assert not can_manage_kommun(analyst, a)
    assert list(kommuner_of(analyst)) == [a]


def test_the_system_administrator_holds_the_admin_role_in_every_kommun(
    two: tuple[Municipality, Municipality],
) -> None:
    admin = make_staff(Role.ADMIN)
    assert is_system_admin(admin)
    assert all(roles_in(admin, k) == {Role.ADMIN} for k in two)
    assert set(kommuner_of(admin)) == set(two)


def test_a_school_contact_sees_their_school_in_their_kommun_only(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    contact = make_staff(Role.SCHOOL_CONTACT, school=_school(a))
    assert list(schools_visible_to(contact, a)) == [_school(a)]
    assert not schools_visible_to(contact, b).exists()
    assert can_follow_progress(contact, a) and not can_follow_progress(contact, b)
    assert not can_view_results(contact, a)


def test_a_coordinator_cannot_issue_codes_for_a_class_of_another_kommun(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    coordinator = make_staff(Role.COORDINATOR, kommun=a)
    wave_a = make_wave(municipality=a)
    class_a = make_class(school=_school(a))
    class_b = make_class(school=_school(b))
    assert can_issue_codes(coordinator, wave=wave_a, school_class=class_a)
    assert not can_issue_codes(coordinator, wave=wave_a, school_class=class_b)
    wave_b = make_wave(municipality=b)
    assert not can_issue_codes(coordinator, wave=wave_b, school_class=class_b)


def test_a_school_of_another_kommun_is_refused_in_swedish(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    user = make_staff()
    with pytest.raises(ValidationError, match="annan kommun"):
        membership_grant(
            user=user, role=Role.SCHOOL_CONTACT, municipality=a, school_id=_school(b).pk
        )
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_a_school_of_another_kommun(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    user = make_staff()
    with pytest.raises(Exception, match="not in the kommun"), transaction.atomic():
        Membership.objects.create(
            user=user, municipality=a, role=Role.SCHOOL_CONTACT, school=_school(b)
        )


def test_the_database_keeps_the_admin_without_a_kommun_and_others_with_one(
    two: tuple[Municipality, Municipality],
) -> None:
    a, _b = two
    user = make_staff()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, municipality=a, role=Role.ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, municipality=None, role=Role.ANALYST)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, municipality=a, role=Role.SCHOOL_CONTACT)


def test_ending_a_membership_ends_the_access(two: tuple[Municipality, Municipality]) -> None:
    a, _b = two
    user = make_staff(Role.COORDINATOR, kommun=a)
    assert can_manage_kommun(user, a)
    assert membership_end(user=user, role=Role.COORDINATOR, municipality=a)
    assert not can_manage_kommun(User.objects.get(pk=user.pk), a)


def test_admin_permissions_come_from_memberships_not_groups(
    two: tuple[Municipality, Municipality],
) -> None:
    a, _b = two
    user = make_staff(Role.COORDINATOR, kommun=a)
    assert not user.groups.exists()
    fresh = User.objects.get(pk=user.pk)
    assert fresh.has_perm("surveys.change_wave")
    assert not fresh.has_perm("auth.change_user")
    membership_end(user=fresh, role=Role.COORDINATOR, municipality=a)
    assert not User.objects.get(pk=user.pk).has_perm("surveys.change_wave")


def test_the_comparison_shows_own_kommuner_and_those_that_agreed(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    c = Municipality.objects.create(code="9103", name="Ceby")
    analyst = make_staff(Role.ANALYST, organisation="kommun", kommun=a)
    foundation = make_staff(Role.ANALYST, organisation="ideer", kommun=a)
    membership_grant(user=foundation, role=Role.ANALYST, municipality=b)
    # Nobody agreed: each sees the kommuner they work in, the foundation both of its own.
    assert list(comparison_kommuner(analyst)) == [a]
    assert list(comparison_kommuner(foundation)) == [a, b]
    # A and C agreed: A's analyst sees C beside A; B, which did not agree, stays out.
    Municipality.objects.filter(pk__in=[a.pk, c.pk]).update(shares_comparison=True)
    assert list(comparison_kommuner(analyst)) == [a, c]
    assert list(comparison_kommuner(foundation)) == [a, b, c]
    # A school contact reads no results, so no comparison either.
    contact = make_staff(Role.SCHOOL_CONTACT, school=_school(a))
    assert not comparison_kommuner(contact).exists()


def test_create_kommun_adds_the_kommun_and_its_coordinator() -> None:
    result = kommun_create(code="0581", name="Norrköping", coordinator_email="Sam@Example.invalid")
    assert result.created and result.coordinator_created
    assert result.coordinator is not None
    assert can_manage_kommun(result.coordinator, result.municipality)
    again = kommun_create(code="0581", name="Norrköping", coordinator_email="sam@example.invalid")
    assert not again.created and not again.coordinator_created
    assert again.coordinator == result.coordinator
    with pytest.raises(ValidationError, match="används redan"):
        kommun_create(code="0581", name="Linköping")
    with pytest.raises(ValidationError, match="fyra siffror"):
        kommun_create(code="581", name="Norrköping")


def test_create_kommun_on_a_fresh_install_brings_the_core_questionnaire() -> None:
    """A new kommun's coordinator can open a first wave: before, a fresh install had no
    questionnaire at all until someone found `import_questionnaire`."""
    from io import StringIO

    from django.core.management import call_command

    from surveys.models import QuestionnaireVersion

    assert not QuestionnaireVersion.objects.exists()
    out = StringIO()
    call_command("create_kommun", "--code", "0581", "--name", "Norrköping", stdout=out)
    core = QuestionnaireVersion.objects.get()
    assert (core.code, core.version, core.municipality_id) == ("DEFAULT", 3, None)
    assert "Core questionnaire DEFAULT v3: imported" in out.getvalue()
    call_command("create_kommun", "--code", "0582", "--name", "Linköping", stdout=out)
    assert QuestionnaireVersion.objects.count() == 1
    assert "Core questionnaire DEFAULT v3: already there" in out.getvalue()


def test_the_upgrade_turns_role_groups_into_memberships_of_the_same_reach(
    two: tuple[Municipality, Municipality],
) -> None:
    a, b = two
    migration = importlib.import_module("accounts.migrations.0003_memberships")
    coordinator = User.objects.create_user("old-coordinator")
    admin = User.objects.create_user("old-admin")
    coordinator.groups.add(Group.objects.get(name="coordinator"))
    admin.groups.add(Group.objects.get(name="admin"))
    migration.groups_to_memberships(django_apps, None)
    assert not coordinator.groups.exists() and not admin.groups.exists()
    assert {m.municipality for m in coordinator.memberships.all()} == {a, b}
    assert admin.memberships.get().municipality is None


def test_audit_rows_of_a_kommuns_pages_carry_its_code(
    two: tuple[Municipality, Municipality],
) -> None:
    from django.test import Client

    from accounts.models import AuditLog
    from tests.accounts.accounts_helpers import login_verified

    a, _b = two
    client = Client()
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=_school(a)))
    assert client.get(f"/{a.code}/lagesbild/").status_code == 403
    row = AuditLog.objects.filter(event="permission denied").latest("id")
    assert (row.kommun, row.details["required"]) == (a.code, "view_results")
    assert client.get(f"/{a.code}/skola/svarsfrekvens/").status_code == 200


def test_a_page_of_another_kommun_is_audited_like_one_of_no_kommun(
    two: tuple[Municipality, Municipality],
) -> None:
    from django.test import Client

    from accounts.models import AuditLog
    from tests.accounts.accounts_helpers import login_verified

    a, b = two
    client = Client()
    login_verified(client, make_staff(Role.ANALYST, organisation="polis", kommun=a))
    assert client.get(f"/{b.code}/lagesbild/").status_code == 404
    assert client.get("/0000/lagesbild/").status_code == 404
    rows = AuditLog.objects.filter(event="kommun refused").order_by("id")
    assert [(r.kommun, r.details["requested"]) for r in rows] == [(b.code, b.code), ("", "0000")]
