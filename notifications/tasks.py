"""The durable worker's jobs for notifications (django-tasks, database backend: `manage.py db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from notifications import services
from portal.lib.tasks import enqueue_once, recurring

SWEEP_EVERY = dt.timedelta(minutes=1)


@task()
def deliver_message(message_id: int) -> str | None:
    return services.message_deliver(message_id)


@recurring
@task()
def send_due_messages() -> int:
    """Retries whose pause is over, and messages whose delivery call was lost; every minute."""
    attempted = services.messages_due()
    services.messages_forget_text()
    enqueue_once(send_due_messages, run_after=timezone.now() + SWEEP_EVERY)
    return attempted
