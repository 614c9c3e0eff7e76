"""`manage.py import_patients FILE.csv`: load the hospital's existing patient index."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.models import Facility, default_facility
from families import importer


class Command(BaseCommand):
    help = (
        "Import patients from a CSV file (idempotent on MRN). Columns: "
        + ", ".join(c + ("*" if c in importer.REQUIRED_COLUMNS else "") for c in importer.COLUMNS)
        + " (* required). Rejected rows are listed with line number and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row (UTF-8; ',' or ';' separated)")
        parser.add_argument(
            "--existing",
            choices=["update", "skip"],
            default="update",
            help="what to do with an MRN already in the index (default: update)",
        )
        parser.add_argument(
            "--lenient",
            action="store_true",
            help="drop invalid optional values (NIK, phone, ...) with a warning instead of rejecting the row",
        )
        parser.add_argument("--report", help="also write rejected rows and warnings to this CSV file")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per transaction (default: 5000)")
        parser.add_argument("--delimiter", help="column separator (default: detected from the header)")
        parser.add_argument("--encoding", default="utf-8-sig")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--facility",
            help="the facility whose register this is: its id or exact name (default: the only/default facility)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        run = importer.PatientImporter(
            facility=self._facility(options["facility"]),
            existing=options["existing"],
            lenient=options["lenient"],
            batch_size=options["batch_size"],
            dry_run=options["dry_run"],
        )
        started = time.perf_counter()
        try:
            with path.open(newline="", encoding=options["encoding"]) as stream:
                result = run.run(stream, delimiter=options["delimiter"])
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        elapsed = time.perf_counter() - started
        self._print_rows(result)
        if options["report"]:
            self._write_report(Path(options["report"]), result)
        rate = result.processed / elapsed if elapsed else 0
        self.stdout.write(
            f"{'DRY RUN: ' if options['dry_run'] else ''}{run.facility.name}: "
            f"{result.processed} rows in {elapsed:.1f} s ({rate:,.0f} rows/s): "
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.skipped} skipped, {len(result.rejected)} rejected, {len(result.warnings)} warnings"
        )

    def _facility(self, given: str | None) -> Facility:
        if not given:
            return default_facility()
        found = Facility.objects.filter(pk=int(given)) if given.isdigit() else Facility.objects.filter(name=given)
        facility = found.first()
        if facility is None:
            names = ", ".join(f"{f.pk}: {f.name}" for f in Facility.objects.all())
            raise CommandError(f"--facility {given!r}: no such facility (there are {names or 'none'})")
        return facility

    def _print_rows(self, result: importer.ImportResult) -> None:
        for item in result.rejected:
            self.stderr.write(
                f"line {item.line}: REJECTED mrn={item.mrn or '-'} {item.column}: {item.code}: {item.message}"
            )
        for item in result.warnings:
            self.stderr.write(
                f"line {item.line}: warning mrn={item.mrn or '-'} {item.column}: {item.code}: {item.message}"
            )

    def _write_report(self, path: Path, result: importer.ImportResult) -> None:
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "status", "mrn", "column", "code", "reason"])
            for status, items in (("rejected", result.rejected), ("warning", result.warnings)):
                for item in items:
                    writer.writerow([item.line, status, item.mrn, item.column, item.code, item.message])
