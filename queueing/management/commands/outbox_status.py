"""Print the Mobile JKN outbox's state for monitoring: counts, oldest pending age, refusals."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from queueing.jkn import outbox
from queueing.models import OutboxEvent, OutboxStatus


class Command(BaseCommand):
    help = (
        "Mobile JKN outbox: rows pending, refused by BPJS (failed) and delivered, and the age of the oldest "
        "pending row. Exits 1 when --max-age is given and the oldest pending row is older (for a monitor)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, help="Seconds; exit 1 when the oldest pending row is older.")
        parser.add_argument("--failed", type=int, default=20, help="How many refused rows to list (default 20).")

    def handle(self, *args, **options):
        state = outbox.summary()
        self.stdout.write(
            " ".join(f"{key}={state[key]}" for key in ("pending", "failed", "delivered", "oldest_pending_seconds"))
        )
        failed = OutboxEvent.objects.filter(status=OutboxStatus.FAILED).select_related("facility")
        for row in failed.order_by("-id")[: options["failed"]]:
            self.stdout.write(f"failed #{row.pk} {row.facility} {row}: {row.last_code} {row.last_message}")
        if options["max_age"] is not None and state["oldest_pending_seconds"] > options["max_age"]:
            sys.exit(1)
