"""The monthly outpatient report (seed 003 "Laporan bulanan rawat jalan") and its daily figures.

Every figure is counted by the database: each query groups the period's bookings and returns a
handful of rows (clinics x days at most), never a booking. A visit (kunjungan) is a booking whose
patient came: checked in or served. It is new (baru) when the patient has no earlier visit at the
same facility, otherwise returning (lama).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from accounts.choices import Sex
from queueing.models import Booking, BookingChannel, BookingStatus
from queueing.selectors import VISIT_STATUSES, earlier_visits
from reports import waits


@dataclass(frozen=True)
class AgeBand:
    key: int
    label: str
    # The band holds ages up to this many completed days, or else completed years (None: no upper end).
    max_days: int | None = None
    max_years: int | None = None


# The bands of the Indonesian outpatient reports, by completed age on the visit date.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(0, _("0-7 days"), max_days=7),
    AgeBand(1, _("8-28 days"), max_days=28),
    AgeBand(2, _("29 days-11 months"), max_years=0),
    AgeBand(3, _("1-4 years"), max_years=4),
    AgeBand(4, _("5-9 years"), max_years=9),
    AgeBand(5, _("10-14 years"), max_years=14),
    AgeBand(6, _("15-19 years"), max_years=19),
    AgeBand(7, _("20-44 years"), max_years=44),
    AgeBand(8, _("45-54 years"), max_years=54),
    AgeBand(9, _("55-59 years"), max_years=59),
    AgeBand(10, _("60-69 years"), max_years=69),
    AgeBand(11, _("70+ years")),
)


@dataclass
class Counts:
    """The counts of one row of the report (a clinic, a day, or the whole period)."""

    bookings: int = 0
    visits: int = 0
    new: int = 0
    returning: int = 0
    cancelled: int = 0
    rejected: int = 0
    no_show: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    start: dt.date
    end: dt.date
    totals: Counts
    clinics: list[tuple[str, str, Counts]]  # facility name, clinic name, counts
    days: list[tuple[dt.date, Counts]]  # every day of the period, zeros included
    guarantors: list[tuple[str, int]]  # guarantor name, visits
    channels: list[tuple[str, str, int, int]]  # value, label, bookings, visits
    age_sex: list[tuple[str, int, int]]  # band label, male visits, female visits
    waits: list[waits.ClinicWaits] = field(default_factory=list)  # clinics with task times in the period

    @property
    def is_single_day(self) -> bool:
        return self.start == self.end


def period_bookings(facility_ids: list[int] | None, start: dt.date, end: dt.date) -> QuerySet:
    """The bookings for visit dates in [start, end] at the facilities (None: every facility)."""
    queryset = Booking.objects.filter(date__range=(start, end))
    if facility_ids is not None:
        queryset = queryset.filter(clinic__facility_id__in=facility_ids)
    return queryset


def _earlier_visit() -> Exists:
    """Whether the booking's patient had a visit at the same facility before this booking's date."""
    return Exists(
        earlier_visits(
            patient_id=OuterRef("patient_id"), date=OuterRef("date"), facility_id=OuterRef("clinic__facility_id")
        )
    )


def _count_annotations() -> dict:
    visit = Q(status__in=VISIT_STATUSES)
    return {
        "bookings": Count("pk"),
        "visits": Count("pk", filter=visit),
        "returning": Count("pk", filter=visit & Q(earlier=True)),
        "cancelled": Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        "rejected": Count("pk", filter=Q(status=BookingStatus.REJECTED)),
        "no_show": Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    }


def _counts(row: dict) -> Counts:
    return Counts(
        bookings=row["bookings"],
        visits=row["visits"],
        new=row["visits"] - row["returning"],
        returning=row["returning"],
        cancelled=row["cancelled"],
        rejected=row["rejected"],
        no_show=row["no_show"],
    )


def clinic_day_counts(bookings: QuerySet) -> list[dict]:
    """One grouped query: the counts per facility, clinic and day (at most clinics x days rows)."""
    return list(
        bookings.annotate(earlier=_earlier_visit())
        .values("clinic_id", "clinic__facility__name", "clinic__name", "date")
        .annotate(**_count_annotations())
        .order_by(
            "clinic__facility__sort_order", "clinic__facility__name", "clinic__sort_order", "clinic__name", "date"
        )
    )


def _roll_up(rows: list[dict], start: dt.date, end: dt.date):
    """Totals, clinics and days from the per-clinic-and-day rows (a sum over a few hundred grouped rows)."""
    totals, clinics, days = Counts(), {}, {}
    for offset in range((end - start).days + 1):
        days[start + dt.timedelta(days=offset)] = Counts()
    for row in rows:
        counts = _counts(row)
        totals.add(counts)
        key = row["clinic_id"]
        if key not in clinics:
            clinics[key] = (row["clinic__facility__name"], row["clinic__name"], Counts())
        clinics[key][2].add(counts)
        days[row["date"]].add(counts)
    return totals, list(clinics.values()), list(days.items())


class _AgeBelow(Expression):
    """True when someone born on `birth` is, on `date`, younger than `days` days or `years` completed years.

    Written per database because it is evaluated up to twelve times per visit: PostgreSQL compares
    dates with date arithmetic; elsewhere (SQLite keeps dates as YYYY-MM-DD text) the dates become
    YYYYMMDD numbers, whose difference is below N0000 exactly while fewer than N birthdays have
    passed (a 29 February baby completes a year on 1 March, as on PostgreSQL).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, date, birth, *, days: int | None = None, years: int | None = None) -> None:
        super().__init__()
        self.date, self.birth = date, birth
        self.days, self.years = days, years

    def get_source_expressions(self) -> list:
        return [self.date, self.birth]

    def set_source_expressions(self, exprs: list) -> None:
        self.date, self.birth = exprs

    def _compiled(self, compiler, connection) -> tuple[str, str, list]:
        date_sql, date_params = compiler.compile(self.date)
        birth_sql, birth_params = compiler.compile(self.birth)
        return date_sql, birth_sql, [*date_params, *birth_params]

    def as_sql(self, compiler, connection, **extra):
        date, birth, params = self._compiled(compiler, connection)
        if self.days is not None:
            return f"(julianday({date}) - julianday({birth}) < {int(self.days)})", params
        return (
            f"(CAST(REPLACE({date}, '-', '') AS INTEGER) - CAST(REPLACE({birth}, '-', '') AS INTEGER)"
            f" < {int(self.years) * 10000})",
            params,
        )

    def as_postgresql(self, compiler, connection, **extra):
        date, birth, params = self._compiled(compiler, connection)
        if self.days is not None:
            return f"({date} - {birth} < {int(self.days)})", params
        return f"({birth} > {date} - INTERVAL '{int(self.years)} years')", params


def age_band() -> Case:
    """The key of the visit's age band (AGE_BANDS), computed by the database."""
    date, birth = F("date"), F("patient__birth_date")
    whens = []
    for band in AGE_BANDS[:-1]:
        if band.max_days is not None:
            below = _AgeBelow(date, birth, days=band.max_days + 1)
        else:
            below = _AgeBelow(date, birth, years=band.max_years + 1)
        whens.append(When(below, then=Value(band.key)))
    return Case(*whens, default=Value(AGE_BANDS[-1].key), output_field=IntegerField())


def age_sex_counts(visits: QuerySet) -> list[tuple[str, int, int]]:
    """Visits per age band and sex: every band, zeros included."""
    rows = visits.values(band=age_band()).annotate(
        male=Count("pk", filter=Q(patient__sex=Sex.MALE)), female=Count("pk", filter=Q(patient__sex=Sex.FEMALE))
    )
    found = {row["band"]: (row["male"], row["female"]) for row in rows}
    return [(str(band.label), *found.get(band.key, (0, 0))) for band in AGE_BANDS]


def guarantor_counts(visits: QuerySet) -> list[tuple[str, int]]:
    rows = visits.values("guarantor__name").annotate(n=Count("pk")).order_by("-n", "guarantor__name")
    return [(row["guarantor__name"], row["n"]) for row in rows]


def channel_counts(bookings: QuerySet) -> list[tuple[str, str, int, int]]:
    """Bookings and visits per registration channel; every channel of BookingChannel, so a new one shows up."""
    rows = bookings.values("channel").annotate(
        bookings=Count("pk"), visits=Count("pk", filter=Q(status__in=VISIT_STATUSES))
    )
    found = {row["channel"]: (row["bookings"], row["visits"]) for row in rows}
    return [(value, str(label), *found.get(value, (0, 0))) for value, label in BookingChannel.choices]


@contextmanager
def _report_transaction() -> Iterator[None]:
    """One transaction for the report's queries (one picture of the month), without PostgreSQL's JIT.

    Over a month of a large hospital the planner's costs pass jit_above_cost, and compiling the
    queries took longer (about 0.5 s each in the benchmark) than running them: these queries are
    short, so JIT only adds.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def outpatient_report(*, facility_ids: list[int] | None, start: dt.date, end: dt.date) -> Report:
    """The report for visit dates in [start, end] at the facilities (None: every facility, summed)."""
    bookings = period_bookings(facility_ids, start, end)
    visits = bookings.filter(status__in=VISIT_STATUSES)
    with _report_transaction():
        totals, clinics, days = _roll_up(clinic_day_counts(bookings), start, end)
        return Report(
            start=start,
            end=end,
            totals=totals,
            clinics=clinics,
            days=days,
            guarantors=guarantor_counts(visits),
            channels=channel_counts(bookings),
            age_sex=age_sex_counts(visits),
            waits=waits.clinic_waits(facility_ids, start, end),
        )
