"""A sheet being stored while its wave is published, on the real PostgreSQL.

The sheet's transaction ended with the guard (the wave was still open) but has not yet
committed when the wave closes and the coordinator publishes. The publication must wait
for it and count it: otherwise the wave would hold a sheet that its frozen cells and its
snapshot do not.
"""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from lagesbild.models import WavePublication
from lagesbild.services import wave_publish
from lagesbild.synthetic import generate_sheets, sheets_insert
from surveys.models import AnswerSheet, Wave
from surveys.services import sheets_store, wave_sheets_accept

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MakeWave = Callable[..., Wave]


def _waiting_query() -> str:
    """The statement of a backend that waits for a lock, or ""."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def test_publishing_waits_for_a_sheet_that_is_being_stored(make_wave: MakeWave) -> None:
    wave = make_wave("vt-kapplopning", closed=False)
    sheets_insert(wave=wave, count=60, seed=3)
    closes = timezone.now() + timedelta(seconds=1)
    Wave.objects.filter(pk=wave.pk).update(closes_at=closes)
    stored, release = threading.Event(), threading.Event()

    def store_one_sheet() -> None:
        try:
            with transaction.atomic():
                sheets_store(sheets=generate_sheets(wave=wave, count=1, seed=9))
                wave_sheets_accept(wave_id=wave.pk)  # still open: accepted
                stored.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def publish() -> None:
        try:
            wave_publish(wave_id=wave.pk)
        finally:
            connection.close()

    sheet = threading.Thread(target=store_one_sheet)
    publisher = threading.Thread(target=publish)
    sheet.start()
    try:
        assert stored.wait(timeout=30)
        time.sleep(max(0.0, (closes - timezone.now()).total_seconds()) + 0.1)
        publisher.start()
        deadline = time.monotonic() + 20
        waiting = ""
        while not waiting and time.monotonic() < deadline:
            time.sleep(0.05)
            waiting = _waiting_query()
        # It waits BEFORE it counts anything: on the wave row it locks first (a publisher
        # that counted first would wait only later, to write the wave row, and its frozen
        # cells would miss the sheet that committed meanwhile).
        assert "FOR UPDATE" in waiting
    finally:
        release.set()
        sheet.join()
        if publisher.ident is not None:  # started
            publisher.join()
    publication = WavePublication.objects.get(wave=wave)
    assert AnswerSheet.objects.filter(wave=wave).count() == 61
    assert publication.sheet_count == 61
    assert sum(n for _kind, _grade, n in publication.snapshot["participation"]["submitted"]) == 61
