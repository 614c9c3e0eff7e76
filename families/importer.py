"""Load an existing patient index from CSV (`manage.py import_patients`).

Columns (header row required, names as below, any order; extra columns are ignored):

    mrn*, full_name*, sex*, birth_date*, nik, kk_number, birth_place, mother_name,
    address_street, address_rt, address_rw, address_village, address_district,
    address_regency, address_province, phone, religion, blood_type, marital_status,
    education, occupation, bpjs_number

* required. sex: L/P (also M/F, laki-laki/perempuan, male/female). birth_date: YYYY-MM-DD,
DD/MM/YYYY or DD-MM-YYYY. Choice columns take our codes (islam, kawin, sma, ...) or their
English labels, case-insensitive.

The file is one facility's register (--facility; the default facility when not named): its MRNs
may carry dashes and are zero-padded to that facility's width, and each becomes the patient's
record at that facility (PatientRecord). Idempotent on MRN: a row whose MRN exists at the
facility updates that patient (or is skipped with --existing=skip); empty cells never erase data
already in the index. A patient is one person across the deployment: a NIK found on a patient
with no record at this facility yet (added online, or registered at another facility) gives that
patient this facility's MRN (same birth date required). Rows are
validated one by one; rejected rows are reported with line number and reason and the rest is
imported in batches (bulk_create / bulk_update), one transaction per batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.choices import BloodType, Education, MaritalStatus, Occupation, Religion, Sex
from accounts.phone import normalize_mobile
from facilities.models import Facility, default_facility
from families.fields import BlindIndexField, EncryptedCharField
from families.models import Patient, PatientRecord
from families.validators import (
    nik_mismatch,
    normalize_mrn,
    validate_birth_date,
    validate_kk,
    validate_nik,
)
from guarantors.validators import validate_card_number
from portal.lib.dates import parse_date

REQUIRED_COLUMNS = ("mrn", "full_name", "sex", "birth_date")
OPTIONAL_COLUMNS = (
    "nik",
    "kk_number",
    "birth_place",
    "mother_name",
    "address_street",
    "address_rt",
    "address_rw",
    "address_village",
    "address_district",
    "address_regency",
    "address_province",
    "phone",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
    "bpjs_number",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_SEX = {
    "l": Sex.MALE,
    "m": Sex.MALE,
    "laki-laki": Sex.MALE,
    "laki laki": Sex.MALE,
    "male": Sex.MALE,
    "p": Sex.FEMALE,
    "f": Sex.FEMALE,
    "w": Sex.FEMALE,
    "perempuan": Sex.FEMALE,
    "wanita": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_CHOICES = {
    "religion": Religion,
    "blood_type": BloodType,
    "marital_status": MaritalStatus,
    "education": Education,
    "occupation": Occupation,
}


def _choice_lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[value.lower()] = value
        table[str(label).lower()] = value
        table[value.lower().replace("_", " ")] = value
    return table


_CHOICE_TABLES = {name: _choice_lookup(enum) for name, enum in _CHOICES.items()}
_MAX_LENGTH = {f.name: f.max_length for f in Patient._meta.concrete_fields if getattr(f, "max_length", None)}


class RowError(Exception):
    def __init__(self, column: str, code: str, message: str) -> None:
        super().__init__(message)
        self.column, self.code, self.message = column, code, message


@dataclass
class Rejection:
    line: int
    mrn: str
    column: str
    code: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped + len(self.rejected)


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]  # only the non-empty, valid cells


def _first_message(exc: ValidationError) -> tuple[str, str]:
    return (exc.error_list[0].code or "invalid", str(exc.messages[0]))


def _parse_date(raw: str) -> dt.date:
    if len(raw) == 10 and raw[4] == "-":
        try:
            return dt.date.fromisoformat(raw)  # the common case, ten times faster than strptime
        except ValueError:
            pass
    parsed = parse_date(raw)
    if parsed is None:
        raise RowError("birth_date", "date_format", "use YYYY-MM-DD or DD/MM/YYYY")
    return parsed


def _clean_cell(column: str, raw: str, today: dt.date, facility: Facility | None = None) -> Any:
    """One cell's value, or RowError. Validators are shared with the web forms."""
    try:
        if column == "mrn":
            return normalize_mrn(raw, facility)
        if column == "sex":
            if raw.lower() not in _SEX:
                raise RowError(column, "sex", "use L or P")
            return _SEX[raw.lower()]
        if column == "birth_date":
            return validate_birth_date(_parse_date(raw), today)
        if column == "nik":
            return validate_nik(raw)
        if column == "kk_number":
            return validate_kk(raw)
        if column == "bpjs_number":
            return validate_card_number(raw)
        if column == "phone":
            return normalize_mobile(raw)
        if column in ("address_rt", "address_rw"):
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
                raise RowError(column, "rt_rw_format", "up to 3 digits")
            return raw.zfill(3)
        if column in _CHOICE_TABLES:
            key = " ".join(raw.lower().replace("_", " ").split())
            value = _CHOICE_TABLES[column].get(key) or _CHOICE_TABLES[column].get(raw.lower())
            if value is None:
                raise RowError(column, "choice", f"unknown value {raw!r}")
            return value
    except ValidationError as exc:
        code, message = _first_message(exc)
        raise RowError(column, code, message) from exc
    if len(raw) > _MAX_LENGTH.get(column, 10_000):
        raise RowError(column, "too_long", f"at most {_MAX_LENGTH[column]} characters")
    return " ".join(raw.split()) if column == "full_name" else raw


class PatientImporter:
    """Validate rows, then create or update patients in batches."""

    def __init__(
        self,
        *,
        facility: Facility | None = None,
        existing: str = "update",
        lenient: bool = False,
        batch_size: int = 5000,
        dry_run: bool = False,
    ) -> None:
        self.existing, self.lenient, self.batch_size, self.dry_run = existing, lenient, batch_size, dry_run
        self.facility = facility or default_facility()
        # The default facility's number is also kept in the deprecated Patient.mrn mirror.
        self.mirror = self.facility.pk == default_facility().pk
        self.result = ImportResult()
        self.today = timezone.localdate()  # once: localdate() per cell is a measurable cost at 500k rows
        self._seen_mrn: set[str] = set()
        self._seen_nik: dict[str, str] = {}

    # --- reading ---------------------------------------------------------------------------

    def run(self, stream: TextIO, delimiter: str | None = None) -> ImportResult:
        reader = self._reader(stream, delimiter)
        batch: list[ParsedRow] = []
        for parsed in self._parse(reader):
            batch.append(parsed)
            if len(batch) >= self.batch_size:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)
        return self.result

    def _reader(self, stream: TextIO, delimiter: str | None) -> csv.DictReader:
        header = stream.readline()
        if delimiter is None:
            delimiter = ";" if header.count(";") > header.count(",") else ","
        names = [name.strip().lower() for name in next(csv.reader([header], delimiter=delimiter))]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise ValueError(f"missing required column(s): {', '.join(missing)}")
        self.columns = [c for c in COLUMNS if c in names]
        return csv.DictReader(stream, fieldnames=names, delimiter=delimiter)

    def _parse(self, reader: csv.DictReader) -> Iterator[ParsedRow]:
        for offset, row in enumerate(reader):
            line = offset + 2  # the header is line 1
            try:
                yield ParsedRow(line, self._parse_row(line, row))
            except RowError as exc:
                self._reject(line, (row.get("mrn") or "").strip(), exc)

    def _parse_row(self, line: int, row: dict[str, str | None]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in self.columns:
            raw = (row.get(column) or "").strip()
            if not raw:
                if column in REQUIRED_COLUMNS:
                    raise RowError(column, "required", "required")
                continue
            try:
                values[column] = _clean_cell(column, raw, self.today, self.facility)
            except RowError as exc:
                if column in REQUIRED_COLUMNS or not self.lenient:
                    raise
                self.result.warnings.append(
                    Rejection(line, values.get("mrn", ""), exc.column, exc.code, f"{exc.message} (value dropped)")
                )
        self._check_file_duplicates(values)
        if values.get("nik"):
            values["nik_mismatch"] = nik_mismatch(values["nik"], values["birth_date"], values["sex"], self.today)
        return values

    def _check_file_duplicates(self, values: dict[str, Any]) -> None:
        mrn, nik = values["mrn"], values.get("nik")
        if mrn in self._seen_mrn:
            raise RowError("mrn", "mrn_duplicate", "this MRN appears earlier in the file")
        if nik and self._seen_nik.get(nik, mrn) != mrn:
            raise RowError("nik", "nik_duplicate", f"this NIK appears earlier in the file (MRN {self._seen_nik[nik]})")
        self._seen_mrn.add(mrn)
        if nik:
            self._seen_nik[nik] = mrn

    def _reject(self, line: int, mrn: str, exc: RowError) -> None:
        self.result.rejected.append(Rejection(line, mrn, exc.column, exc.code, exc.message))

    # --- writing ---------------------------------------------------------------------------

    def _snapshot(self) -> tuple[int, ...]:
        r = self.result
        return (r.created, r.updated, r.unchanged, r.skipped, len(r.rejected))

    def _restore(self, snapshot: tuple[int, ...]) -> None:
        r = self.result
        r.created, r.updated, r.unchanged, r.skipped, rejected = snapshot
        del r.rejected[rejected:]

    def _write_batch(self, batch: list[ParsedRow]) -> None:
        snapshot = self._snapshot()
        try:
            self._write(batch)
        except IntegrityError:
            # A row in this batch clashed with another (or with a concurrent edit): redo the
            # batch one row at a time so that only the offending rows are rejected.
            self._restore(snapshot)
            for parsed in batch:
                self._write_single(parsed)

    def _write_single(self, parsed: ParsedRow) -> None:
        snapshot = self._snapshot()
        try:
            self._write([parsed])
        except IntegrityError:
            self._restore(snapshot)
            self._reject(
                parsed.line,
                parsed.values["mrn"],
                RowError("nik", "conflict", "conflicts with another patient (NIK or MRN already used)"),
            )

    def _write(self, batch: list[ParsedRow]) -> None:
        with transaction.atomic():
            self._apply(*self._plan(batch))
            if self.dry_run:
                transaction.set_rollback(True)

    def _plan(self, batch: list[ParsedRow]) -> tuple[list[Patient], list[Patient], set[str], list[PatientRecord]]:
        mrns = [p.values["mrn"] for p in batch]
        niks = [p.values["nik"] for p in batch if p.values.get("nik")]
        here = PatientRecord.objects.filter(facility=self.facility)
        by_mrn = {r.mrn: r.patient for r in here.filter(mrn__in=mrns).select_related("patient")}
        by_nik = {p.nik: p for p in Patient.objects.filter(nik__in=niks)} if niks else {}
        self._has_record = set(here.filter(patient__in=list(by_nik.values())).values_list("patient_id", flat=True))
        to_create: list[Patient] = []
        records: list[PatientRecord] = []
        to_update: dict[Any, Patient] = {}
        changed_fields: set[str] = set()
        now = timezone.now()
        for parsed in batch:
            try:
                target = self._target(parsed, by_mrn, by_nik)
            except RowError as exc:
                self._reject(parsed.line, parsed.values["mrn"], exc)
                continue
            mrn = parsed.values["mrn"]
            if target is None:
                values = {k: v for k, v in parsed.values.items() if k != "mrn"}
                to_create.append(Patient(**values, mrn=mrn if self.mirror else None))
                records.append(PatientRecord(patient=to_create[-1], facility=self.facility, mrn=mrn))
            elif target is not False:
                changes = self._changes(target, parsed.values)
                new_here = target.pk not in self._has_record and by_mrn.get(mrn) is not target
                if new_here:  # known by NIK, new to this facility: the file gives them this facility's number
                    records.append(PatientRecord(patient=target, facility=self.facility, mrn=mrn))
                    self._has_record.add(target.pk)
                    if self.mirror:
                        target.mrn = mrn
                        changes.append("mrn")
                if changes:
                    target.updated_at = now  # bulk_update does not touch auto_now fields
                    changed_fields.update(changes)
                    to_update[target.pk] = target
                if changes or new_here:
                    self.result.updated += 1
                else:
                    self.result.unchanged += 1
        self.result.created += len(to_create)
        return to_create, list(to_update.values()), changed_fields, records

    def _target(self, parsed: ParsedRow, by_mrn: dict[str, Patient], by_nik: dict[str, Patient]):
        """The patient this row updates, None to create one, False to skip it."""
        values = parsed.values
        nik_owner = by_nik.get(values.get("nik"))
        patient = by_mrn.get(values["mrn"])
        if patient is not None:
            if self.existing == "skip":
                self.result.skipped += 1
                return False
            if nik_owner is not None and nik_owner.pk != patient.pk:
                raise RowError("nik", "nik_taken", "this NIK belongs to another patient in the index")
            return patient
        if nik_owner is None:
            return None
        if nik_owner.pk not in self._has_record and nik_owner.birth_date == values["birth_date"]:
            return nik_owner  # added online, or known at another facility: the import gives this facility's MRN
        raise RowError("nik", "nik_taken", "this NIK belongs to another patient in the index")

    @staticmethod
    def _changes(patient: Patient, values: dict[str, Any]) -> list[str]:
        changes = []
        for name, value in values.items():
            if name != "mrn" and getattr(patient, name) != value:
                setattr(patient, name, value)
                changes.append(name)
        return changes

    def _apply(
        self, to_create: list[Patient], to_update: list[Patient], fields: Iterable[str], records: list[PatientRecord]
    ) -> None:
        if to_create:
            if connection.vendor == "postgresql" and len(to_create) > 1:
                _copy_insert(to_create)
            else:
                Patient.objects.bulk_create(to_create, batch_size=self.batch_size)
        if to_update:
            fields = set(fields) | {"updated_at"}
            fields |= {Patient.INDEXED[name] for name in fields if name in Patient.INDEXED}
            for patient in to_update:  # bulk_update does not call pre_save: compute the indexes here
                for name in Patient.INDEXED.values():
                    setattr(patient, name, Patient._meta.get_field(name).compute(patient))
            Patient.objects.bulk_update(to_update, sorted(fields), batch_size=500)
        if records:  # after the patients they point at; bulk_create writes no mirror (set above)
            for record in records:
                record.patient_id = record.patient.pk
            PatientRecord.objects.bulk_create(records, batch_size=self.batch_size)


# --- PostgreSQL COPY ------------------------------------------------------------------------
# bulk_create spends most of its time preparing values through the ORM; COPY streams the same
# rows as text and is several times faster. Constraints and indexes apply exactly as for INSERT.
# Values go through each field's pre_save and get_db_prep_save, as an INSERT would: identity
# numbers are encrypted and their blind indexes computed.

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_insert(patients: list[Patient]) -> None:
    fields = Patient._meta.concrete_fields
    now = timezone.now()
    buffer = io.StringIO()
    prepared = [f for f in fields if isinstance(f, (EncryptedCharField, BlindIndexField))]
    for patient in patients:
        patient.created_at = patient.updated_at = now  # what auto_now(_add) would have set
        row = {f.attname: getattr(patient, f.attname) for f in fields}
        for f in prepared:
            row[f.attname] = f.get_db_prep_save(f.pre_save(patient, True), connection)
        buffer.write("\t".join(_copy_value(row[f.attname]) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Patient._meta.db_table)
    with connection.cursor() as cursor, connection.wrap_database_errors:  # psycopg2 errors -> Django's
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
