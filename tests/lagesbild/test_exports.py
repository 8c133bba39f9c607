"""Exports of published cells: same cells as the dashboards, nothing suppressed, one audit
row per export, files only for the user who asked."""

import csv
import hashlib
import io
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from accounts.models import AuditLog
from lagesbild import selectors
from lagesbild.catalogue import load_catalogue
from lagesbild.disclosure import estimate_cell
from lagesbild.exports.formats import HEADERS
from lagesbild.exports.pdf import Report
from lagesbild.exports.services import export_purge
from lagesbild.models import KOMMUN_AREA, ExportJob, ExportStatus, IndicatorCell
from surveys.models import Wave
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.dashboard_factories import (
    BREAKDOWN_VALUES,
    build_cube,
    demo_districts,
    eskilstuna_id,
    estimated_cell,
    make_wave,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2025, 10, 1, 8, tzinfo=timezone.get_current_timezone())
SMALL = ("SKI", "ARB", "SOD", "ARL")


@pytest.fixture(scope="module")
def _published(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """Two published waves of every cell of the catalogue in the demo districts, built once
    for the module (a test's own changes are rolled back with it); committed until the
    module ends, then the database is emptied for the modules after it."""
    with django_db_blocker.unblock():
        districts = demo_districts()
        municipality = districts[0].municipality
        for seed, (slug, name, opens) in enumerate(
            [("ht2024", "HT 2024", OPENS - timedelta(days=365)), ("ht2025", "HT 2025", OPENS)]
        ):
            wave = make_wave(
                municipality=municipality,
                slug=slug,
                name=name,
                opens_at=opens,
                closes_at=opens + timedelta(days=21),
                published_at=opens + timedelta(days=40),
                analysis_text="Analys." if slug == "ht2025" else "",
            )
            build_cube(wave, districts, seed=seed + 1)
    yield "ht2025"
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def wave(_published: str, db: None, settings: object, tmp_path: Path) -> str:
    """The latest of the two published waves; files are written to this test's folder."""
    settings.EXPORT_DIR = tmp_path  # type: ignore[attr-defined]
    return _published


@pytest.fixture
def analyst_client(client: Client) -> Client:
    login_verified(client, make_staff(Role.ANALYST, organisation="polis"))
    return client


def _csv(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _export_rows(audits: int = 0) -> int:
    return AuditLog.objects.filter(event="export").count() - audits


# --------------------------------------------------------------------------- same cells


@pytest.mark.parametrize("breakdown", ["total", "girls", "ak7-9"])
def test_exported_cells_equal_the_dashboard_cells_for_the_same_filters(
    wave: str, analyst_client: Client, breakdown: str
) -> None:
    query = {"wave": wave, "indicator": "EXP02", "geography": "home", "breakdown": breakdown}
    rows = _csv(_body(analyst_client.get("/0484/lagesbild/export/celler.csv", query)))
    ref = selectors.resolve_wave(wave, municipality_id=eskilstuna_id())
    assert ref is not None
    meta = selectors.find_indicator("EXP02")
    assert meta is not None
    page = selectors.indicator_page(
        selectors.scope_of(ref), meta, breakdown=breakdown, geography="home", area=None
    )
    shown = {r.area.code: r.cell for r in page.rows}
    assert page.kommun is not None
    shown["KOMMUN"] = page.kommun
    exported = {r["Områdeskod"]: r for r in rows}
    assert set(exported) == set(shown)
    for code, cell in shown.items():
        row = exported[code]
        assert row["Visat värde"] == cell.text
        assert row["Andel (%)"] == ("" if cell.share_pct is None else str(cell.share_pct))
        assert row["n (avrundat)"] == ("" if cell.n_shown is None else str(cell.n_shown))
        assert row["KI nedre (%)"] == ("" if cell.ci_low_pct is None else str(cell.ci_low_pct))


def test_whole_wave_export_holds_every_published_cell_of_the_wave(
    wave: str, analyst_client: Client
) -> None:
    rows = _csv(_body(analyst_client.get("/0484/lagesbild/export/celler.csv", {"wave": wave})))
    assert len(rows) == IndicatorCell.objects.filter(wave__slug=wave).count()
    assert {r["Omgång"] for r in rows} == {wave}


def test_district_export_holds_the_district_and_the_kommun(
    wave: str, analyst_client: Client
) -> None:
    rows = _csv(_body(analyst_client.get("/0484/lagesbild/export/celler.csv", {"area": "SKI"})))
    assert {r["Områdeskod"] for r in rows} == {"SKI", "KOMMUN"}


def test_unknown_filter_answers_404(wave: str, analyst_client: Client) -> None:
    response = analyst_client.get("/0484/lagesbild/export/celler.csv", {"indicator": "NOPE"})
    assert response.status_code == 404
    assert _export_rows() == 0


def test_an_unpublished_wave_is_never_exported(wave: str, analyst_client: Client) -> None:
    IndicatorCell.objects.filter(wave__slug=wave).update(frozen=False)
    Wave.objects.filter(slug=wave).update(published_at=None)
    response = analyst_client.get("/0484/lagesbild/export/celler.csv", {"wave": wave})
    assert response.status_code == 404


# --------------------------------------------------------------------------- suppression


def _random_cube(wave: Wave, draws: list[tuple[int, int]], seed: int) -> None:
    """Cells of two indicators (one with places) in a few areas from arbitrary counts."""
    rng = random.Random(seed)
    cells = []
    for indicator in (load_catalogue()["EXP02"], load_catalogue()["TRY07"]):
        for key in indicator.cell_keys:
            code, _, place = key.partition(":")
            for area in (KOMMUN_AREA, *SMALL):
                for breakdown, value in BREAKDOWN_VALUES:
                    n, share = draws[rng.randrange(len(draws))]
                    yes = n * share // 100
                    e = estimate_cell(n, yes)
                    cells.append(
                        estimated_cell(
                            wave,
                            (code, place, indicator.geography, area, breakdown, value),
                            n,
                            yes,
                            e,
                            catalogue_version=1,
                            computed_at=timezone.now(),
                            frozen=True,
                        )
                    )
    IndicatorCell.objects.bulk_create(cells)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 100)), min_size=1, max_size=12),
    st.integers(0, 10_000),
)
def test_a_suppressed_value_appears_in_no_export(
    analyst_client: Client, draws: list[tuple[int, int]], seed: int
) -> None:
    slug = f"cube{seed}"
    if Wave.objects.filter(slug=slug).exists():
        return
    districts = demo_districts()
    wave = make_wave(
        municipality=districts[0].municipality,
        slug=slug,
        name=slug,
        opens_at=OPENS + timedelta(days=seed),
        closes_at=OPENS + timedelta(days=seed + 21),
        published_at=OPENS + timedelta(days=seed + 40),
    )
    _random_cube(wave, draws, seed)
    hidden = {
        (c.indicator, c.place, c.area, c.breakdown, c.breakdown_value): c.state
        for c in IndicatorCell.objects.filter(wave__slug=slug)
    }
    query = {"wave": slug}
    rows = _csv(_body(analyst_client.get("/0484/lagesbild/export/celler.csv", query)))
    xlsx = load_workbook(
        io.BytesIO(_body(analyst_client.get("/0484/lagesbild/export/celler.xlsx", query)))
    )
    sheet_rows = list(xlsx["Celler"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(sheet_rows) == len(hidden)
    numeric = ("Andel (%)", "KI nedre (%)", "KI övre (%)", "n (avrundat)", "Gräns")
    for row, values in zip(rows, sheet_rows, strict=True):
        key = (row["Indikator"], row["Plats"], row["Områdeskod"], row["Uppdelning"], row["Grupp"])
        in_sheet = dict(zip(HEADERS, values, strict=True))
        if hidden[key] == "suppressed":
            assert row["Visat värde"] == "–"
            assert all(row[h] == "" for h in numeric)
            assert all(in_sheet[h] in (None, "") for h in numeric)
        if hidden[key] != "shown":
            assert row["Andel (%)"] == "" and in_sheet["Andel (%)"] is None


# --------------------------------------------------------------------------- formats


def test_xlsx_download_opens_with_the_right_types(wave: str, analyst_client: Client) -> None:
    response = analyst_client.get("/0484/lagesbild/export/celler.xlsx", {"indicator": "UTS03"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(_body(response)))
    sheet = workbook["Celler"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    shown = [r for r in rows if r["Andel (%)"] is not None]
    assert shown and all(isinstance(r["Andel (%)"], int) for r in shown)
    assert all(isinstance(r["Osäker"], bool) for r in rows)
    assert workbook["Metod"]["A1"].value == "Om filen"


def test_method_notes_download_is_text_with_the_rules(wave: str, analyst_client: Client) -> None:
    text = _body(analyst_client.get("/0484/lagesbild/export/metod.txt", {"wave": wave})).decode()
    assert "Regler för röjandeskydd" in text and "Fråga EXP02" in text


# --------------------------------------------------------------------------- audit


def test_each_download_writes_exactly_one_audit_row_with_the_files_checksum(
    wave: str, analyst_client: Client
) -> None:
    content = _body(analyst_client.get("/0484/lagesbild/export/celler.csv", {"indicator": "EXP02"}))
    (row,) = AuditLog.objects.filter(event="export")
    assert row.details["sha256"] == hashlib.sha256(content).hexdigest()
    assert row.details["file_type"] == "csv"
    assert row.details["filters"] == {"wave": wave, "indicator": "EXP02"}
    assert row.details["cells"] == len(_csv(content))
    assert row.organisation == "polis"


def test_a_school_contact_may_not_export(wave: str, client: Client) -> None:
    from surveys.models import District, School

    school = School.objects.create(district=District.objects.get(code="SKI"), name="Testskolan")
    user = make_staff(Role.SCHOOL_CONTACT, school=school)
    login_verified(client, user)
    assert client.get("/0484/lagesbild/export/celler.csv").status_code == 403
    assert _export_rows() == 0


def test_anonymous_users_are_sent_to_login(wave: str, client: Client) -> None:
    response = client.get("/0484/lagesbild/export/celler.csv")
    assert response.status_code == 302
    assert "/konto/logga-in/" in response["Location"]


# --------------------------------------------------------------------------- PDF jobs


@pytest.fixture
def ask_report(
    analyst_client: Client, django_capture_on_commit_callbacks: object
) -> Callable[..., ExportJob]:
    """POST the report form; the task runs when the request's transaction commits."""

    def ask(**data: str) -> ExportJob:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            response = analyst_client.post("/0484/lagesbild/export/rapport/", data)
        job = ExportJob.objects.get()
        assert response["Location"] == f"/0484/lagesbild/export/jobb/{job.pk}/"
        return job

    return ask


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the tests of a report job's life (queue, resend, access, audit, purge): a tiny
    PDF in place of WeasyPrint's layout, which takes seconds a report. The report is still
    built from the published cells, and the file, its checksum and its audit rows are the
    job's as always. The real layout of the kommun's report and a district's is in
    test_report_job_generates_the_pdf_and_audits_it_once,
    test_district_report_compares_the_district_with_the_kommun and
    test_lagesbild_report_command_writes_a_pdf."""
    from lagesbild.exports import pdf

    def render(
        report: Report, out: IO[bytes], progress: Callable[[int, str], None] | None = None
    ) -> None:
        if progress is not None:
            progress(40, "layout")
            progress(85, "pdf")
        out.write(b"%PDF-1.7\n% " + str(report.cell_count).encode() + b" cells\n%%EOF\n")

    monkeypatch.setattr(pdf, "render_pdf", render)


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_report_job_generates_the_pdf_and_audits_it_once(
    wave: str, analyst_client: Client, ask_report: Callable[..., ExportJob]
) -> None:
    job = ask_report(wave=wave)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.progress == 100
    status = analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/status/").json()
    assert status["finished"] and status["download_url"].endswith("/fil/")
    content = _body(analyst_client.get(status["download_url"]))
    (row,) = AuditLog.objects.filter(event="export")
    assert row.details["file_type"] == "pdf"
    assert row.details["sha256"] == hashlib.sha256(content).hexdigest() == job.sha256
    text = _pdf_text(content)
    for expected in ("Lägesbild: ungas trygghet", "Sammanfattning", "Skiftinge", "Metodbilaga"):
        assert expected in text
    assert "Analys." in text


@pytest.mark.usefixtures("quick_pdf")
def test_every_download_of_a_report_writes_an_audit_row(
    wave: str, analyst_client: Client, ask_report: Callable[..., ExportJob]
) -> None:
    job = ask_report(wave=wave, area="ARL")
    job.refresh_from_db()
    for _ in range(2):  # the first download and a repeat
        _body(analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/fil/"))
    rows = AuditLog.objects.filter(event="export download").order_by("at", "id")
    assert [row.details["job"] for row in rows] == [str(job.pk)] * 2
    assert {row.details["sha256"] for row in rows} == {job.sha256}
    assert {row.actor_id for row in rows} == {job.user_id}
    assert _export_rows() == 1  # generating it was the one export


def test_district_report_compares_the_district_with_the_kommun(
    wave: str, analyst_client: Client, ask_report: Callable[..., ExportJob]
) -> None:
    job = ask_report(wave=wave, area="SKI")
    text = _pdf_text(_body(analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/fil/")))
    assert "Skiftinge" in text and "Kommunen" in text


def test_the_job_page_links_back_to_the_dashboard_page_it_came_from(
    wave: str, analyst_client: Client
) -> None:
    for data, link in (
        ({"wave": wave}, f'href="/0484/lagesbild/?wave={wave}"'),
        ({"wave": wave, "area": "ARL"}, f'href="/0484/lagesbild/omrade/ARL/?wave={wave}"'),
    ):
        analyst_client.post("/0484/lagesbild/export/rapport/", data)  # not committed: pending
        job = ExportJob.objects.order_by("created_at").last()
        assert job is not None
        page = analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/").content.decode()
        assert link in page and "Tillbaka till lägesbilden" in page


@pytest.mark.usefixtures("quick_pdf")
def test_report_file_is_only_for_the_user_who_asked(
    wave: str, ask_report: Callable[..., ExportJob]
) -> None:
    job = ask_report(wave=wave, area="ARL")  # a district report: smaller, same rules
    other = Client()
    login_verified(other, make_staff(Role.ANALYST, organisation="kommun"))
    for suffix in ("", "status/", "fil/"):
        assert other.get(f"/0484/lagesbild/export/jobb/{job.pk}/{suffix}").status_code == 404


def test_progress_page_refreshes_itself_without_javascript(
    wave: str, analyst_client: Client
) -> None:
    analyst_client.post("/0484/lagesbild/export/rapport/", {"wave": wave})  # not committed: pending
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    page = analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'value="40"' in page
    assert "<script>" not in page


@pytest.mark.usefixtures("quick_pdf")
def test_purge_removes_expired_jobs_and_their_files(
    wave: str, analyst_client: Client, ask_report: Callable[..., ExportJob]
) -> None:
    job = ask_report(wave=wave, area="ARL")
    job.refresh_from_db()
    from lagesbild.exports.services import job_file_path

    path = job_file_path(job)
    assert path is not None and path.is_file()
    assert export_purge(now=timezone.now()) == 0
    assert export_purge(now=job.expires_at + timedelta(seconds=1)) == 1
    assert not path.exists() and not ExportJob.objects.exists()
    assert analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/fil/").status_code == 404


@pytest.mark.usefixtures("quick_pdf")
def test_running_a_report_job_twice_writes_one_file_and_one_audit_row(
    wave: str, ask_report: Callable[..., ExportJob]
) -> None:
    from lagesbild.exports.services import report_job_run

    job = ask_report(wave=wave, area="ARL")
    report_job_run(job_id=job.pk)
    assert _export_rows() == 1


@pytest.mark.usefixtures("quick_pdf")
def test_a_report_asked_for_while_the_broker_is_down_waits_and_is_sent_again(
    wave: str,
    analyst_client: Client,
    ask_report: Callable[..., ExportJob],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from kombu.exceptions import OperationalError

    from lagesbild.exports import tasks
    from lagesbild.exports.services import report_jobs_resend

    with mock.patch.object(
        tasks.report_job_run, "delay", side_effect=OperationalError("Connection refused")
    ):
        job = ask_report(wave=wave, area="ARL")  # a redirect to the job's page, not a 500
    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING
    assert "broker unavailable" in caplog.text
    page = analyst_client.get(f"/0484/lagesbild/export/jobb/{job.pk}/").content.decode()
    assert "Rapporten står i kö" in page

    assert report_jobs_resend(now=job.created_at + timedelta(seconds=30)) == 0  # just asked
    with mock.patch.object(tasks.report_job_run, "delay", side_effect=OperationalError("down")):
        assert report_jobs_resend(now=job.created_at + timedelta(seconds=61)) == 0
    assert report_jobs_resend(now=job.created_at + timedelta(seconds=61)) == 1  # Redis is back
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert _export_rows() == 1
    assert report_jobs_resend(now=timezone.now() + timedelta(seconds=61)) == 0


@pytest.mark.usefixtures("quick_pdf")
def test_a_job_whose_worker_died_is_sent_again_and_runs_once(
    wave: str, analyst_client: Client, settings: object
) -> None:
    from lagesbild.exports.services import report_jobs_resend

    analyst_client.post("/0484/lagesbild/export/rapport/", {"wave": wave, "area": "ARL"})
    job = ExportJob.objects.get()  # not committed in this test: never sent
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)  # type: ignore[attr-defined]
    running = ExportJob.objects.filter(pk=job.pk)
    running.update(status=ExportStatus.RUNNING, started_at=timezone.now() - limit / 2)
    assert report_jobs_resend(now=timezone.now() + timedelta(seconds=61)) == 0  # may still run
    running.update(started_at=timezone.now() - limit - timedelta(seconds=1))
    assert report_jobs_resend(now=timezone.now() + timedelta(seconds=61)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and _export_rows() == 1


def test_publishing_to_an_unreachable_broker_raises_the_error_that_is_caught() -> None:
    """With the settings' broker options, a refused connection raises kombu's
    OperationalError (what `_send` catches) instead of retrying forever."""
    from celery import Celery
    from django.conf import settings as django_settings
    from kombu.exceptions import OperationalError

    # Not the current app: the project's tasks must keep their own broker after this test.
    probe = Celery("probe", broker="redis://127.0.0.1:1/0", set_as_current=False)
    probe.conf.broker_transport_options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    probe.conf.broker_connection_timeout = django_settings.CELERY_BROKER_CONNECTION_TIMEOUT
    with pytest.raises(OperationalError):
        probe.send_task("lagesbild.exports.tasks.report_job_run", args=("x",))


# --------------------------------------------------------------------------- commands


def test_export_cells_command_writes_the_csv_to_standard_output(
    wave: str, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    call_command("export_cells", "--wave", wave, "--format", "csv", "--indicator", "EXP02")
    out = capfdbinary.readouterr().out
    rows = _csv(out)
    assert rows and {r["Indikator"] for r in rows} == {"EXP02"}
    (row,) = AuditLog.objects.filter(event="export")
    assert row.details["sha256"] == hashlib.sha256(out).hexdigest()


def test_lagesbild_report_command_writes_a_pdf(wave: str, tmp_path: Path) -> None:
    output = tmp_path / "rapport.pdf"
    call_command("lagesbild_report", "--wave", wave, "--district", "ARB", "--output", str(output))
    assert "Årby" in _pdf_text(output.read_bytes())
    assert _export_rows() == 1
