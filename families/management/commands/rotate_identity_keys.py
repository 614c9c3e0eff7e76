"""Move every patient's identity numbers to the newest keys (`manage.py rotate_identity_keys`).

Rotation, step by step (README "Identity numbers at rest"):
1. put the new key first in FIELD_ENCRYPTION_KEYS (and/or BLIND_INDEX_KEYS), keep the old one
   after it, restart the app: new writes use the new key, reads and look-ups still know the old;
2. run this command (batch by batch, each batch its own short transaction; interrupted, it is
   simply run again: rows already under the newest keys are skipped);
3. when it reports nothing left, remove the old key and restart.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from families.rotation import rotate_identity_keys


class Command(BaseCommand):
    help = "Re-encrypt NIK, KK and BPJS numbers under the newest key and recompute their blind indexes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--after", default=None, help="resume after this patient id (printed as progress)")

    def handle(self, *args, batch_size: int, after: str | None, **options) -> None:
        def progress(last_id, checked: int, rewritten: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"checked {checked}, rewritten {rewritten}, last id {last_id}")

        result = rotate_identity_keys(batch_size=batch_size, after=after, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.checked} patients checked, {result.rewritten} rewritten under the newest keys."
            )
        )
