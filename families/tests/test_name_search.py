"""The trigram index behind the name searches (families 0020, issue 16): on PostgreSQL it exists
and the planner can answer the counter's name search with it; on SQLite the migration is a no-op."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from families.models import Patient
from queueing.desk.selectors import patient_query

INDEX = "families_patient_name_trgm"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")


def _plan(queryset) -> str:
    """EXPLAIN of the queryset's own SQL with sequential scans priced out of reach: a plan that
    still reads no index named here shows the index cannot answer the query at all."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction ends it
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def many_patients(db) -> None:
    names = ["Budi Santoso", "Siti Rahayu", "Agus Prasetyo", "Dewi Lestari", "Wulan Tambunan"]
    Patient.objects.bulk_create(
        Patient(full_name=names[i % len(names)], sex="L", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i))
        for i in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE families_patient")


@postgresql_only
@pytest.mark.django_db
def test_the_trigram_index_is_on_the_upper_cased_name():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        (definition,) = cursor.fetchone()
    assert "USING gin (upper((full_name)::text) gin_trgm_ops)" in definition


@postgresql_only
def test_a_name_word_is_found_through_the_trigram_index(many_patients):
    found = Patient.objects.filter(full_name__icontains="tambun")
    assert found.count() == 400
    assert INDEX in _plan(found)


@postgresql_only
def test_the_counters_search_by_name_can_use_the_index_beside_the_record_number_match(many_patients):
    """patient_query also matches the term as a medical record number: that half must not force
    a scan of every patient (an OR with a subquery would)."""
    query = patient_query("budi santo", facility_ids=None)
    found = Patient.objects.filter(query)
    assert found.count() == 400
    assert INDEX in _plan(found)


def test_the_migration_runs_on_sqlite_without_the_index(tmp_path: Path):
    """`make run` uses SQLite: the families migrations apply there and create no trigram index."""
    database = tmp_path / "run.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="portal.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "families", "0020", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(database) as db:
        applied = db.execute("SELECT 1 FROM django_migrations WHERE app = 'families' AND name LIKE '0020%'").fetchall()
        indexes = db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?", [INDEX]).fetchall()
    assert applied and not indexes
