"""The background worker: django-tasks with the database backend, run by a real db_worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.lib.tasks import database_url, enqueue_once

ROOT = Path(__file__).resolve().parents[2]


@task()
def add_numbers(a: int, b: int) -> int:
    return a + b


def test_enqueue_once_skips_while_a_run_already_waits(db):
    assert enqueue_once(add_numbers, a=1, b=2)
    assert not enqueue_once(add_numbers, a=1, b=2)
    assert DBTaskResult.objects.filter(task_path=add_numbers.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_process_runs_an_enqueued_task_and_records_its_result():
    if "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite test database cannot be reached by another process")
    result = add_numbers.enqueue(a=20, b=22)
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "DEBUG": "True"}
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 42
