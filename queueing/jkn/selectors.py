"""Reads for WS RS: which schedule Mobile JKN means, the day's queue figures, patients by card, NIK or MRN."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from facilities.models import Facility
from families.models import Patient
from queueing import selectors
from queueing.models import NUMBERED_STATUSES, Booking, BookingStatus, Clinic, DayQuota, Schedule, Task, TaskTime

# Still to be seen: numbered, not served or gone, and the clinic not done with them (BPJS: the
# remaining queue drops at task 5).
WAITING_STATUSES = (BookingStatus.VERIFIED, BookingStatus.CHECKED_IN)


def _waiting(bookings):
    done = TaskTime.objects.filter(booking=OuterRef("pk"), task_id=Task.CLINIC_DONE)
    return bookings.filter(status__in=WAITING_STATUSES).exclude(Exists(done))


def clinic_for(facility: Facility, kodepoli: str) -> Clinic:
    """The clinic Mobile JKN names by its BPJS sub-specialty code (or its poli code when that is the same)."""
    code = Q(bpjs_subspecialty_code=kodepoli) | Q(bpjs_subspecialty_code="", bpjs_code=kodepoli)
    clinic = Clinic.objects.filter(code, facility=facility, active=True).order_by("sort_order", "pk").first()
    if clinic is None:
        raise ValidationError(_("Clinic %(code)s was not found at this hospital.") % {"code": kodepoli}, code="poli")
    return clinic


def schedule_for(
    facility: Facility, *, kodepoli: str, kodedokter: str, date: dt.date, hours: tuple[dt.time, dt.time]
) -> Schedule:
    """The practice session: clinic + doctor + weekday + exact jampraktek (SIMRS Khanza's rule)."""
    clinic = clinic_for(facility, kodepoli)
    schedules = Schedule.objects.select_related("clinic", "doctor").filter(
        clinic=clinic, doctor__bpjs_code__in=_doctor_codes(kodedokter), doctor__active=True, active=True
    )
    if not schedules.exists():
        raise ValidationError(
            _("This doctor does not practise at clinic %(code)s.") % {"code": kodepoli}, code="dokter"
        )
    schedule = schedules.filter(weekday=date.weekday(), start_time=hours[0], end_time=hours[1]).first()
    if schedule is None:
        raise ValidationError(
            _("The doctor has no practice at %(hours)s on that day.") % {"hours": f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"},
            code="jadwal",
        )
    return schedule


def _doctor_codes(kodedokter: str) -> list[str]:
    """HFIS codes are numbers; a code typed in the admin with leading zeros still matches."""
    return [kodedokter, *(kodedokter.zfill(width) for width in range(len(kodedokter) + 1, 9))]


def check_not_past(facility: Facility, date: dt.date) -> None:
    if date < facility.local_today():
        raise ValidationError(_("The date has already passed."), code="date_past")


@dataclass(frozen=True)
class DayFigures:
    """What Status Antrean and Ambil Antrean report for one schedule-day."""

    total: int  # numbers given and not cancelled
    waiting: int  # numbered, not yet served
    called: str  # the label now being served ("" before the first)
    jkn_quota: int
    jkn_left: int
    nonjkn_quota: int
    nonjkn_left: int

    def as_quota_fields(self) -> dict:
        return {
            "sisakuotajkn": self.jkn_left,
            "kuotajkn": self.jkn_quota,
            "sisakuotanonjkn": self.nonjkn_left,
            "kuotanonjkn": self.nonjkn_quota,
        }


def day_figures(schedule: Schedule, date: dt.date) -> DayFigures:
    """Mobile JKN's share (kuota JKN) and everything else under the total (kuota non-JKN: portal and counter)."""
    row = DayQuota.objects.filter(schedule=schedule, date=date).first()
    quota = row.quota if row else schedule.online_quota
    jkn_quota = row.jkn_quota if row else schedule.jkn_quota
    total_quota = (row.total_quota if row and row.total_quota is not None else None) or schedule.total_quota
    active, jkn, counter = (row.active_count, row.jkn_count, row.counter_count) if row else (0, 0, 0)
    closed = bool(row and row.closed)
    bookings = Booking.objects.filter(day_quota=row) if row else Booking.objects.none()
    nonjkn_quota = max(total_quota - jkn_quota, 0)
    return DayFigures(
        total=bookings.filter(status__in=NUMBERED_STATUSES).count(),
        waiting=_waiting(bookings).count(),
        called=_called_label(bookings),
        jkn_quota=jkn_quota,
        jkn_left=0 if closed else max(min(jkn_quota - jkn, quota - active), 0),
        nonjkn_quota=nonjkn_quota,
        nonjkn_left=0 if closed else max(nonjkn_quota - (active - jkn) - counter, 0),
    )


def _called_label(bookings) -> str:
    """The number the clinic called last (BPJS task 4, recorded by the visit day's clinic call)."""
    called = (
        TaskTime.objects.filter(booking__in=bookings, task_id=Task.CLINIC_SERVICE)
        .order_by("-at_ms")
        .values_list("booking__label", flat=True)
        .first()
    )
    return called or ""


def waiting_before(booking: Booking) -> int:
    """Patients still to be seen before this one (its own place excluded)."""
    return _waiting(Booking.objects.filter(day_quota_id=booking.day_quota_id, number__lt=booking.number)).count()


def jkn_offer(schedule: Schedule, date: dt.date) -> selectors.Offer | None:
    """The session as Mobile JKN may book it (None when closed that day), with Mobile JKN's places left."""
    offer = selectors.offer_for(schedule.pk, date)
    if offer is None:
        return None
    figures = day_figures(schedule, date)
    return selectors.Offer(offer.schedule, figures.jkn_left, offer.day_quota_id, offer.prefix, offer.facility_id)


def booking_for(facility: Facility, kodebooking: str) -> Booking:
    booking = (
        Booking.objects.select_related("clinic", "doctor", "day_quota__schedule", "patient")
        .filter(code=kodebooking, clinic__facility=facility)
        .first()
    )
    if booking is None:
        raise ValidationError(_("Booking code %(code)s was not found.") % {"code": kodebooking}, code="not_found")
    return booking


def patient_for(facility: Facility, *, card: str, nik: str, mrn: str) -> Patient | None:
    """The one patient these identifiers name (the MRN at this facility); None when none does; a refusal
    when they name different people."""
    found: dict = {}
    if mrn:
        found["norm"] = list(Patient.objects.filter(records__facility=facility, records__mrn=mrn)[:2])
    if nik:
        found["nik"] = list(Patient.objects.filter(nik=nik)[:2])
    if card:
        found["nomorkartu"] = list(Patient.objects.filter(bpjs_number=card)[:2])
    people = {p.pk: p for matches in found.values() for p in matches}
    if not people:
        return None
    if len(people) > 1:
        raise ValidationError(
            _("The card, NIK and medical record numbers belong to different patients. Please come to registration."),
            code="identity_conflict",
        )
    return next(iter(people.values()))
