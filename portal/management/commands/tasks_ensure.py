"""Enqueue every recurring background task that has no run waiting (a killed worker breaks a chain)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.lib.tasks import ensure_recurring


class Command(BaseCommand):
    help = "Start the chain of every recurring background task that has no run waiting."

    def handle(self, *args, **options):
        started = ensure_recurring(log=self.stdout.write)
        self.stdout.write(f"{started} recurring task(s) enqueued")
