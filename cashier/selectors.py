"""Reads for the cashier: visits in scope, which tariff applies, who has paid, the day's recap."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from cashier.models import PatientVisit, Payment, PaymentMethod, ServiceArea, Tariff, TariffCondition
from facilities.models import Facility, FacilityMembership, FacilityRole
from facilities.scope import staff_facility_ids
from families.models import Patient
from queueing import selectors as queueing_selectors
from queueing.desk.selectors import normalize_code
from queueing.models import Booking, BookingStatus

# A fee can be taken for these: confirmed, arrived, seen. Not for requests, cancellations or rejections.
PAYABLE_STATUSES = (BookingStatus.VERIFIED, BookingStatus.CHECKED_IN, BookingStatus.SERVED)
SEARCH_LIMIT = 25
VOID_ROLES = (FacilityRole.CASHIER_SUPERVISOR,)


# --- visits in scope -------------------------------------------------------------------------


def cashier_bookings(user) -> QuerySet[Booking]:
    """The bookings of the cashier's facilities (facilities/scope.py): another facility's are not found."""
    return queueing_selectors.bookings_for_staff(
        user, Booking.objects.select_related("patient", "clinic__facility", "doctor", "guarantor")
    )


def booking_by_code(raw: str | None, user) -> Booking | None:
    code = normalize_code(raw)
    return cashier_bookings(user).filter(code=code).first() if code else None


def cashier_facilities(user) -> list[Facility]:
    ids = staff_facility_ids(user)
    facilities = Facility.objects.all() if ids is None else Facility.objects.filter(pk__in=ids)
    return list(facilities.order_by("sort_order", "name", "pk"))


def todays_visits_by_name(term: str, user) -> list[Booking]:
    """Today's bookings (each facility's own today) whose patient's name holds every word of `term`."""
    words = (term or "").split()
    if not words or len("".join(words)) < 2:
        return []
    days = Q()
    for facility in cashier_facilities(user):
        days |= Q(clinic__facility=facility, date=facility.local_today())
    if not days:
        return []
    by_name = Q()
    for word in words:
        by_name &= Q(patient__full_name__icontains=word)
    return list(cashier_bookings(user).filter(days, by_name).order_by("patient__full_name", "label")[:SEARCH_LIMIT])


# --- which tariff applies --------------------------------------------------------------------


def is_new_visit(booking: Booking) -> bool:
    """Kunjungan baru: the patient has no earlier visit (checked in or served) at this facility."""
    return not queueing_selectors.earlier_visits(
        patient_id=booking.patient_id, date=booking.date, facility_id=booking.clinic.facility_id
    ).exists()


_PREFIXES = re.compile(r"^(kabupaten|kab\.?|kota|kecamatan|kec\.?)\s+")


def _place(value: str) -> str:
    """'Kab.  Kubu Raya' -> 'kubu raya': addresses are typed by people, in every spelling."""
    text = " ".join((value or "").lower().replace(".", ". ").split())
    return _PREFIXES.sub("", text).strip()


def lives_in_area(patient: Patient, facility: Facility) -> bool | None:
    """True or False by the patient's address against the facility's areas; None when it cannot be told.

    None: the facility lists no area (no area rule), or the address has no regency.
    """
    areas = list(ServiceArea.objects.filter(facility=facility))
    if not areas:
        return None
    regency, district = _place(patient.address_regency), _place(patient.address_district)
    if not regency:
        return None
    return any(
        _place(area.regency) == regency and (not area.district or _place(area.district) == district) for area in areas
    )


@dataclass(frozen=True)
class Quote:
    """The fee for a visit, with the facts that chose it (shown to the cashier, copied onto the payment)."""

    tariff: Tariff | None
    visit: str  # PatientVisit.NEW or RETURNING
    condition: str  # the TariffCondition the patient falls under
    in_area: bool | None
    no_identity: bool

    @property
    def amount(self) -> int:
        return self.tariff.amount if self.tariff else 0

    @property
    def payable(self) -> bool:
        return self.tariff is not None and self.tariff.amount > 0


def quote_for(booking: Booking, *, no_identity: bool = False) -> Quote:
    """The tariff for this visit: the facility's, by guarantor kind, new/returning and condition.

    Seed 003 step 7: a patient who brought no identity document (KTP/KK), or who lives outside the
    facility's area, pays the non-resident tariff. The most specific active row wins: the
    non-resident row before the standard one, a row for new (or returning) before one for any.
    No row: nothing to pay.
    """
    facility = booking.clinic.facility
    visit = PatientVisit.NEW if is_new_visit(booking) else PatientVisit.RETURNING
    in_area = lives_in_area(booking.patient, facility)
    non_resident = no_identity or in_area is False
    condition = TariffCondition.NON_RESIDENT if non_resident else TariffCondition.STANDARD
    conditions = [TariffCondition.NON_RESIDENT, TariffCondition.STANDARD] if non_resident else [condition]
    candidates = Tariff.objects.filter(
        facility=facility,
        active=True,
        guarantor_kind=booking.guarantor.kind,
        condition__in=conditions,
        visit__in=[visit, PatientVisit.ANY],
    )
    ranked = sorted(candidates, key=lambda t: (conditions.index(t.condition), t.visit == PatientVisit.ANY))
    return Quote(
        tariff=ranked[0] if ranked else None,
        visit=visit,
        condition=condition,
        in_area=in_area,
        no_identity=no_identity,
    )


# --- payments --------------------------------------------------------------------------------


def payments_for(user) -> QuerySet[Payment]:
    """Payments at the user's facilities (scoped like the bookings)."""
    ids = staff_facility_ids(user)
    queryset = Payment.objects.select_related("booking__patient", "booking__clinic", "facility", "cashier", "voided_by")
    return queryset if ids is None else queryset.filter(facility_id__in=ids)


def active_payment(booking: Booking) -> Payment | None:
    return Payment.objects.active().filter(booking=booking).select_related("cashier").first()


def paid_booking_ids(bookings: Iterable[Booking]) -> set:
    """The ids of the bookings with a payment or waiver standing (not voided): one query for a whole list.

    The one answer to "has this visit been paid at the cashier?" for every page that shows it
    (the clerk's counter, the clinic's calling page), through the `paid_booking_ids` template tag.
    """
    ids = [b.pk for b in bookings]
    if not ids:
        return set()
    return set(Payment.objects.active().filter(booking_id__in=ids).values_list("booking_id", flat=True))


def with_paid_flag(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    """The same bookings annotated `paid` (for lists that are still querysets)."""
    return queryset.annotate(paid=Exists(Payment.objects.active().filter(booking_id=OuterRef("pk"))))


def may_void(user, payment: Payment) -> bool:
    """A cashier supervisor of the payment's facility holding the void permission (superusers too)."""
    if not (user.is_authenticated and user.is_active and user.has_perm("cashier.void_payment")):
        return False
    if user.is_superuser:
        return True
    return FacilityMembership.objects.filter(user=user, facility_id=payment.facility_id, role__in=VOID_ROLES).exists()


# --- the day's recap -------------------------------------------------------------------------


@dataclass
class RecapRow:
    cashier: str
    by_method: dict[str, tuple[int, int]] = field(default_factory=dict)  # method -> (count, amount)

    @property
    def received(self) -> int:
        return sum(amount for method, (_n, amount) in self.by_method.items() if method != PaymentMethod.WAIVED)


@dataclass
class Recap:
    facility: Facility
    day: dt.date
    methods: list[tuple[str, str]]
    rows: list[RecapRow]
    totals: dict[str, tuple[int, int]]
    voided: list[Payment]

    @property
    def received(self) -> int:
        return sum(amount for method, (_n, amount) in self.totals.items() if method != PaymentMethod.WAIVED)


def day_bounds(facility: Facility, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The facility's day as aware datetimes [start, end): a recap follows the facility's clock."""
    start = facility.make_aware(dt.datetime.combine(day, dt.time()))
    end = facility.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    return start, end


def daily_recap(facility: Facility, day: dt.date, *, cashier=None) -> Recap:
    """Counts and totals per cashier and method for the facility's day, summed by the database.

    Voided payments are listed apart and counted in no total (the money went back, or never came).
    """
    start, end = day_bounds(facility, day)
    payments = Payment.objects.filter(facility=facility, created_at__gte=start, created_at__lt=end)
    if cashier is not None:
        payments = payments.filter(cashier=cashier)
    grouped = (
        payments.active()
        .values("cashier_id", "cashier__full_name", "cashier__email", "method")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("cashier__full_name", "cashier_id", "method")
    )
    rows: dict[int, RecapRow] = {}
    totals: dict[str, tuple[int, int]] = {}
    for g in grouped:
        row = rows.setdefault(g["cashier_id"], RecapRow(cashier=g["cashier__full_name"] or g["cashier__email"]))
        row.by_method[g["method"]] = (g["n"], g["total"])
        n, total = totals.get(g["method"], (0, 0))
        totals[g["method"]] = (n + g["n"], total + g["total"])
    voided = list(payments.filter(voided_at__isnull=False).select_related("cashier", "voided_by", "booking__patient"))
    return Recap(
        facility=facility,
        day=day,
        methods=list(PaymentMethod.choices),
        rows=list(rows.values()),
        totals=totals,
        voided=voided,
    )
