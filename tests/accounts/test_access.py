import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from accounts.access import (
    Role,
    access_school,
    organisation_of,
    role_required,
    roles_of,
    schools_visible_to,
)
from accounts.models import AuditLog
from surveys.models import School
from tests.accounts.accounts_helpers import make_school, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def other_school() -> School:
    return make_school("Andra skolan")


@role_required(Role.ANALYST)
def analyst_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("published cells")


def _request(user: object, *, verified: bool = True) -> HttpRequest:
    request = RequestFactory().get("/0484/lagesbild/")
    request.user = user  # type: ignore[assignment]
    request.session = {}  # type: ignore[assignment]
    if not isinstance(user, AnonymousUser):
        user.is_verified = lambda: verified  # type: ignore[attr-defined]
    return request


def test_every_role_has_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_anonymous_user_has_no_roles() -> None:
    assert roles_of(AnonymousUser()) == frozenset()


def test_superuser_counts_as_admin() -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("root", "r@example.invalid", "x" * 16)
    assert roles_of(user) == {Role.ADMIN}


def test_inactive_user_has_no_roles() -> None:
    user = make_staff(Role.COORDINATOR, is_active=False)
    assert roles_of(user) == frozenset()


def test_analyst_carries_an_organisation() -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    assert roles_of(user) == {Role.ANALYST}
    assert organisation_of(user) == "polis"


def test_analyst_without_organisation_is_refused() -> None:
    with pytest.raises(ValueError, match="organisation"):
        make_staff(Role.ANALYST)


def test_coordinator_sees_every_school(school: School, other_school: School) -> None:
    user = make_staff(Role.COORDINATOR)
    assert set(schools_visible_to(user, school.district.municipality)) == {school, other_school}


def test_school_contact_sees_only_their_school(school: School, other_school: School) -> None:
    user = make_staff(Role.SCHOOL_CONTACT, school=school)
    assert list(schools_visible_to(user, school.district.municipality)) == [school]


def test_analyst_sees_no_school(school: School) -> None:
    user = make_staff(Role.ANALYST, organisation="kommun")
    assert not schools_visible_to(user, school.district.municipality).exists()


def test_school_of_another_contact_answers_404(school: School, other_school: School) -> None:
    user = make_staff(Role.SCHOOL_CONTACT, school=school)
    kommun = school.district.municipality
    assert access_school(user, kommun, school.pk) == school
    with pytest.raises(Http404):
        access_school(user, kommun, other_school.pk)


def test_missing_school_answers_404_even_for_a_coordinator(school: School) -> None:
    with pytest.raises(Http404):
        access_school(make_staff(Role.COORDINATOR), school.district.municipality, 987654)


def test_role_required_sends_anonymous_users_to_login() -> None:
    response = analyst_page(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")


def test_role_required_sends_unverified_users_to_the_second_factor() -> None:
    user = make_staff(Role.ANALYST, organisation="polis")
    response = analyst_page(_request(user, verified=False))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/verifiera/?next=")


def test_role_required_refuses_another_role_and_audits_it() -> None:
    user = make_staff(Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        analyst_page(_request(user))
    row = AuditLog.objects.get(event="permission denied")
    assert row.actor_id == user.pk
    assert row.path == "/0484/lagesbild/"
    assert row.details == {"required": ["analyst"]}


def test_role_required_lets_the_role_through_and_forbids_caching() -> None:
    user = make_staff(Role.ANALYST, organisation="ideer")
    response = analyst_page(_request(user))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_role_required_needs_at_least_one_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        role_required()


def test_account_page_answers_403_to_a_user_without_any_role(client: Client) -> None:
    from tests.accounts.accounts_helpers import login_verified

    user = make_staff()
    login_verified(client, user)
    assert client.get("/konto/").status_code == 403


def test_the_account_page_links_to_the_pages_of_each_role(client: Client) -> None:
    from tests.accounts.accounts_helpers import login_verified, make_school

    analyst = make_staff(Role.ANALYST, organisation="polis")
    login_verified(client, analyst)
    html = client.get("/konto/").content.decode()
    assert 'href="/0484/lagesbild/"' in html
    assert 'href="/0484/skola/koder/"' not in html

    contact = make_staff(Role.SCHOOL_CONTACT, school=make_school())
    login_verified(client, contact)
    html = client.get("/konto/").content.decode()
    assert 'href="/0484/skola/koder/"' in html and 'href="/0484/skola/svarsfrekvens/"' in html
    assert 'href="/0484/lagesbild/"' not in html
