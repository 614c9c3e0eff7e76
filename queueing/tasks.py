"""The durable worker's recurring jobs for queueing (django-tasks; `manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from portal.lib.tasks import enqueue_once, recurring
from queueing import reminders

REMINDERS_EVERY = dt.timedelta(minutes=5)


@recurring
@task()
def queue_reminders() -> int:
    """Queue tomorrow's reminders where the facility's hour has come; then wait for the next round."""
    queued = reminders.reminders_queue()
    enqueue_once(queue_reminders, run_after=timezone.now() + REMINDERS_EVERY)
    return queued
