"""Background work: the django-tasks API (Django 6's `django.tasks`, backported), database backend.

Tasks are rows of `django_tasks_db` in our own database, so SQLite (the embedded default) and
PostgreSQL both work without another server; `manage.py db_worker` runs them (README "Worker").

Define a task in the app that owns the work (`<app>/tasks.py`), enqueue it after the commit of
the change that calls for it, never inside the transaction (the worker could run before the
commit and find nothing):

    from django.db import transaction
    from django_tasks import task
    from portal.lib.tasks import enqueue_once

    @task()
    def reminders_send() -> int:
        # Recurring: enqueue the next run FIRST, so a worker killed during this run (its row stays
        # "running" for ever) does not end the chain; no cron.
        enqueue_once(reminders_send, run_after=timezone.now() + INTERVAL)
        sent = ...  # the work: short, idempotent (a task may run twice after a crash)
        return sent

    transaction.on_commit(lambda: enqueue_once(reminders_send))

A recurring task is also registered with `@recurring` so that every `migrate` (each deploy)
and `manage.py tasks_ensure` starts its chain again if a killed worker broke it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone
from django_tasks.base import Task

logger = logging.getLogger(__name__)

_RECURRING: list[tuple[str, Callable[[], int]]] = []


def enqueue_once(task: Task, *, run_after: dt.datetime | None = None, **kwargs) -> bool:
    """Enqueue `task(**kwargs)` unless a run of it with the same arguments already waits to start
    by `run_after` (now when None).

    Returns whether a run was enqueued. Two callers at the same instant may both enqueue: a
    task must tolerate an extra run (each of ours finds its work by querying, under claims).
    """
    from django.db.models import Q
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    when = run_after or timezone.now()
    # django-tasks-db stores "as soon as possible" as the largest date.
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY, args_kwargs={"args": [], "kwargs": kwargs}
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=when))
    if waiting.exists():
        return False
    (task.using(run_after=run_after) if run_after else task).enqueue(**kwargs)
    return True


def ensure_waiting(task: Task, **kwargs) -> bool:
    """Enqueue `task(**kwargs)` now unless a run of it with these arguments waits (at any time)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY, args_kwargs={"args": [], "kwargs": kwargs}
    )
    if waiting.exists():
        return False
    task.enqueue(**kwargs)
    return True


def recurring(task: Task | None = None, *, start: Callable[[], int] | None = None):
    """Register a self-re-enqueueing task so that `ensure_recurring` can restart its chain;
    `start` restarts it when it is not one run without arguments (it returns how many it enqueued)."""

    def register(task: Task) -> Task:
        _RECURRING.append((task.module_path, start or (lambda: int(ensure_waiting(task)))))
        return task

    return register(task) if task is not None else register


def ensure_recurring(log: Callable[[str], None] = logger.info) -> int:
    """Enqueue every registered recurring task that has no run waiting; return how many were."""
    started = 0
    for name, start in _RECURRING:
        count = start()
        if count:
            started += count
            log(f"enqueued {name} ({count})")
    return started


def on_post_migrate(*, using: str = "default", **kwargs) -> None:
    """After `migrate` (each deploy): restart the recurring chains, once the task table exists."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult._meta.db_table in connections[using].introspection.table_names():
        ensure_recurring()


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for a subprocess (a worker in a test) that reaches the same database."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user, host, port = settings_dict.get("USER") or "", settings_dict.get("HOST") or "", settings_dict.get("PORT") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port or 5432}/{settings_dict['NAME']}"
