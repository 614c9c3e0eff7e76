"""Load demo data for every app; safe to run again."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app with demo data exposes `<app>.demo.load()`; order follows the app dependencies.
DEMO_MODULES = [
    "facilities.demo",
    "accounts.demo",
    "families.demo",
    "guarantors.demo",
    "queueing.demo",
    "cashier.demo",
    "visitday.demo",
]


class Command(BaseCommand):
    help = "Load idempotent demo data (accounts, patients, clinics, schedules)."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            # By name: accounts imports no other app (STYLE.md), so the command names their modules.
            module = importlib.import_module(name)
            with transaction.atomic():
                module.load()
            self.stdout.write(f"demo data: {name} loaded")
