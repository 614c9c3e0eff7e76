"""Several facilities in one deployment: each books on its own clock, closes its own days, signs its own slips."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from facilities.models import Facility, FacilityKind, FacilityMembership, FacilityRole, FacilityTimeZone
from queueing import selectors, services
from queueing.desk import services as desk_services
from queueing.models import (
    Booking,
    BookingSettings,
    CareKind,
    Clinic,
    Doctor,
    ExceptionScope,
    Schedule,
    ScheduleException,
    VisitKind,
)
from queueing.tests.conftest import make_member
from queueing.tests.desk_helpers import clerk_client, desk_clerk, make_patient  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("umum")]

# 2026-12-01 16:30 UTC: 23:30 on the 1st in Jakarta (WIB), 00:30 on the 2nd in Makassar (WITA),
# 01:30 on the 2nd in Jayapura (WIT).
UTC_EVENING = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)
ZONES = [FacilityTimeZone.WIB, FacilityTimeZone.WITA, FacilityTimeZone.WIT]


def utc(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hh, mm, tzinfo=dt.UTC)


def facility_with_clinic(
    name: str,
    zone: str = FacilityTimeZone.WIB,
    *,
    code: str = "UMUM",
    kind: str = FacilityKind.PUSKESMAS,
    start: str = "08:00",
) -> tuple[Facility, list[Schedule]]:
    """A facility with one clinic whose doctor practises every day."""
    facility = Facility.objects.create(
        name=name, time_zone=zone, kind=kind, address=f"Jl. {name} 1", phone="(0274) 515865"
    )
    clinic = Clinic.objects.create(facility=facility, code=code, name=f"Poli {code.title()} {name}", prefix=code)
    doctor = Doctor.objects.create(facility=facility, name=f"dr. {name}")
    schedules = [
        Schedule.objects.create(
            doctor=doctor,
            clinic=clinic,
            weekday=day,
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time(12),
            total_quota=20,
            online_quota=10,
        )
        for day in range(7)
    ]
    return facility, schedules


def on(schedules: list[Schedule], date: dt.date) -> Schedule:
    return next(s for s in schedules if s.weekday == date.weekday())


def settings_of(facility: Facility, **fields) -> BookingSettings:
    cfg = BookingSettings.load(facility.pk)
    for name, value in fields.items():
        setattr(cfg, name, value)
    cfg.save()
    return BookingSettings.load(facility.pk)


# --- the facility's clock ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_the_booking_window_starts_from_the_facility_own_date_across_midnight(zone):
    facility, _s = facility_with_clinic(f"Puskesmas {zone}", zone)
    cfg = settings_of(facility, earliest_days_ahead=1, latest_days_ahead=3)
    with time_machine.travel(UTC_EVENING, tick=False):
        first, last = selectors.booking_window(cfg=cfg)
    local_today = {FacilityTimeZone.WIB: dt.date(2026, 12, 1)}.get(zone, dt.date(2026, 12, 2))
    assert (first, last) == (local_today + dt.timedelta(days=1), local_today + dt.timedelta(days=3))


@pytest.mark.parametrize(
    ("zone", "today_open"),
    [(FacilityTimeZone.WIB, True), (FacilityTimeZone.WITA, False), (FacilityTimeZone.WIT, False)],
)
def test_the_same_day_cut_off_is_read_on_the_facility_clock(zone, today_open):
    """02:30 UTC is 09:30 in Jakarta (before a 10:00 cut-off) but 10:30 in Makassar and 11:30 in Jayapura."""
    facility, _s = facility_with_clinic(f"Puskesmas {zone}", zone)
    cfg = settings_of(facility, earliest_days_ahead=0, same_day_cutoff=dt.time(10))
    with time_machine.travel(utc(1, 2, 30), tick=False):
        first, _last = selectors.booking_window(cfg=cfg)
    assert (first == dt.date(2026, 12, 1)) is today_open


@pytest.mark.parametrize(
    ("zone", "newest_open"),
    [(FacilityTimeZone.WIB, False), (FacilityTimeZone.WITA, True), (FacilityTimeZone.WIT, True)],
)
def test_the_newest_day_opens_at_the_opening_time_of_the_facility(zone, newest_open):
    """23:30 UTC on the 30th is 06:30 on the 1st in Jakarta (before 07:00), 07:30 in Makassar, 08:30 in Jayapura."""
    facility, _s = facility_with_clinic(f"Puskesmas {zone}", zone)
    cfg = settings_of(facility, latest_days_ahead=7, opening_time=dt.time(7))
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        _first, last = selectors.booking_window(cfg=cfg)
    assert (last == dt.date(2026, 12, 8)) is newest_open


def test_the_cancel_cut_off_is_hours_before_the_practice_starts_at_its_facility(patient, member, umum):
    """Both practices start at 08:00 local: 01:00 UTC in Jakarta, 23:00 UTC the day before in Jayapura."""
    jakarta, jakarta_days = facility_with_clinic("RSUD Jakarta", FacilityTimeZone.WIB)
    jayapura, jayapura_days = facility_with_clinic("Puskesmas Jayapura", FacilityTimeZone.WIT)
    child = make_member(patient, "Bima Wulandari", relationship="child")
    exam = dt.date(2026, 12, 3)
    with time_machine.travel(utc(1, 3), tick=False):
        in_jakarta = services.booking_create(
            account=patient,
            patient_id=member.pk,
            guarantor_id=umum.pk,
            schedule_id=on(jakarta_days, exam).pk,
            date=exam,
            token=_token(),
        )
        in_jayapura = services.booking_create(
            account=patient,
            patient_id=child.pk,
            guarantor_id=umum.pk,
            schedule_id=on(jayapura_days, exam).pk,
            date=exam,
            token=_token(),
        )
    # 22:30 UTC on the 2nd: 05:30 in Jakarta (cut-off 06:00 still ahead), 07:30 in Jayapura (passed).
    with time_machine.travel(utc(2, 22, 30), tick=False):
        assert services.can_cancel(in_jakarta, selectors.settings_for(in_jakarta))
        assert not services.can_cancel(in_jayapura, selectors.settings_for(in_jayapura))
        with pytest.raises(ValidationError) as refused:
            services.booking_cancel(booking=in_jayapura, actor=patient)
        assert refused.value.code == "cancel_cutoff_passed"
        services.booking_cancel(booking=in_jakarta, actor=patient)
    assert Booking.objects.get(pk=in_jakarta.pk).status == "cancelled"


def test_a_walk_in_after_midnight_in_jayapura_is_for_jayapura_s_new_day(desk_clerk, umum):
    _f, days = facility_with_clinic("Puskesmas Abepura", FacilityTimeZone.WIT)
    walker = make_patient("Yohana Wenda")
    with time_machine.travel(UTC_EVENING, tick=False):  # 23:30 in Jakarta, 01:30 on the 2nd in Jayapura
        [booking] = desk_services.walkin_register(
            actor=desk_clerk,
            schedule_id=on(days, dt.date(2026, 12, 2)).pk,
            entries=[desk_services.CounterEntry(patient_id=walker.pk, guarantor_id=umum.pk)],
        )
        assert selectors.booking_today(booking) == dt.date(2026, 12, 2)
    assert booking.date == dt.date(2026, 12, 2)


# --- what belongs to a facility ------------------------------------------------------------------------


def test_a_whole_facility_closure_closes_only_that_facility_s_clinics():
    closed, closed_days = facility_with_clinic("Puskesmas Tutup", code="GIGI")
    open_, open_days = facility_with_clinic("Puskesmas Buka", code="GIGI")
    day = dt.date(2026, 12, 25)
    services.exception_create(
        exception=ScheduleException(facility=closed, date=day, scope=ExceptionScope.HOSPITAL, reason="Natal")
    )
    assert not selectors.clinics_on(day, facility_id=closed.pk).exists()
    assert list(selectors.clinics_on(day, facility_id=open_.pk)) == [on(open_days, day).clinic]
    assert selectors.offer_for(on(open_days, day).pk, day) is not None
    assert selectors.offer_for(on(closed_days, day).pk, day) is None


def test_a_clinic_closure_belongs_to_the_clinic_s_facility():
    facility, days = facility_with_clinic("Puskesmas Umbulharjo")
    exception = ScheduleException(
        date=dt.date(2026, 12, 26), scope=ExceptionScope.CLINIC, clinic=days[0].clinic, reason="Renovasi"
    )
    services.exception_create(exception=exception)
    assert exception.facility_id == facility.pk


def test_clinic_codes_are_unique_within_a_facility_only():
    first, _d = facility_with_clinic("Puskesmas Satu", code="GIGI")
    facility_with_clinic("Puskesmas Dua", code="GIGI")  # another facility's GIGI is fine
    with pytest.raises(ValidationError) as refused:
        Clinic(facility=first, code="GIGI", name="Poli Gigi 2", prefix="G2").full_clean()
    assert refused.value.error_dict["__all__"][0].code == "code_taken"
    with pytest.raises(IntegrityError, match="queueing_clinic_code_unique_per_facility"):
        Clinic.objects.create(facility=first, code="GIGI", name="Poli Gigi 2", prefix="G2")


def test_each_facility_has_its_own_booking_settings():
    one, _d1 = facility_with_clinic("Puskesmas Satu")
    two, _d2 = facility_with_clinic("Puskesmas Dua")
    settings_of(one, mode="verification")
    assert BookingSettings.current(one.pk).mode == "verification"
    assert BookingSettings.current(two.pk).mode == "instant"
    assert BookingSettings.objects.count() == 2


# --- name and address from the booking's facility -------------------------------------------------------


def test_slip_e_mail_and_print_page_name_the_booking_s_facility(
    patient, patient_client, member, umum, settings, django_capture_on_commit_callbacks
):
    settings.HOSPITAL_NAME = "Dinas Kesehatan Kota Yogyakarta"
    facility_with_clinic("RSUD Kota Yogyakarta", kind=FacilityKind.RSUD)
    puskesmas, days = facility_with_clinic("Puskesmas Jetis")
    exam = puskesmas.local_today() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(
            account=patient,
            patient_id=member.pk,
            guarantor_id=umum.pk,
            schedule_id=on(days, exam).pk,
            date=exam,
            token=_token(),
        )
    slip = selectors.slip_data(booking)
    assert (slip.hospital_name, slip.hospital_address) == ("Puskesmas Jetis", "Jl. Puskesmas Jetis 1")
    assert "Puskesmas Jetis" in mail.outbox[-1].body
    page = patient_client.get(reverse("queueing:booking_print", args=[booking.code])).content.decode()
    assert "Puskesmas Jetis" in page and "Jl. Puskesmas Jetis 1" in page


def test_a_single_facility_deployment_names_its_facility_in_the_header(client, settings):
    settings.HOSPITAL_NAME = "Nama Lama Dari Setelan"
    Facility.objects.create(name="RSUD Banyumas Baru", address="Jl. Baru 2")
    page = client.get(reverse("home")).content.decode()
    assert "RSUD Banyumas Baru" in page and "Nama Lama Dari Setelan" not in page


# --- the patient chooses the facility first (seed 002 step 1) ----------------------------------------------


def _wizard(response) -> str:
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_with_one_facility_the_wizard_starts_at_the_member_and_never_asks_for_a_facility(patient_client, gigi):
    url = _wizard(patient_client.get(reverse("queueing:booking_start")))
    assert url.endswith("/anggota/")
    assert "/fasilitas/" not in patient_client.get(url).content.decode()
    facility_url = url.replace("/anggota/", "/fasilitas/")
    assert _wizard(patient_client.get(facility_url)).endswith("/anggota/")


def test_with_several_facilities_the_patient_chooses_one_and_sees_only_its_clinics(patient_client, member, umum):
    rsud, rsud_days = facility_with_clinic("RSUD Kota", kind=FacilityKind.RSUD, code="BEDAH")
    puskesmas, pusk_days = facility_with_clinic("Puskesmas Gondokusuman", FacilityTimeZone.WITA, code="KIA")
    url = _wizard(patient_client.get(reverse("queueing:booking_start")))
    assert url.endswith("/fasilitas/")
    page = patient_client.get(url).content.decode()
    assert "RSUD Kota" in page and "Puskesmas Gondokusuman" in page
    url = _wizard(patient_client.post(url, {"facility": puskesmas.pk}))
    url = _wizard(patient_client.post(url, {"patient": member.pk}))
    exam = puskesmas.local_today() + dt.timedelta(days=2)
    url = _wizard(patient_client.post(url, {"date": exam.isoformat()}))
    url = _wizard(patient_client.post(url, {"guarantor_type": umum.code}))
    assert url.endswith("/poli/")
    page = patient_client.get(url).content.decode()
    assert "Poli Kia Puskesmas Gondokusuman" in page and "Poli Bedah RSUD Kota" not in page
    assert "Puskesmas Gondokusuman" in page  # the summary names the chosen facility
    refused = patient_client.post(url, {"clinic": rsud_days[0].clinic_id})
    assert refused.status_code == 200 and not Booking.objects.exists()
    url = _wizard(patient_client.post(url, {"clinic": pusk_days[0].clinic_id}))
    url = _wizard(patient_client.post(url, {"schedule": on(pusk_days, exam).pk}))
    token = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    _wizard(patient_client.post(url, {"token": token}))
    booking = Booking.objects.get()
    assert booking.clinic.facility == puskesmas
    listing = patient_client.get(reverse("queueing:booking_list")).content.decode()
    assert "booking-facility" in listing and "Puskesmas Gondokusuman" in listing


def test_my_bookings_does_not_name_the_facility_when_there_is_only_one(
    patient_client, book, member, gigi_tomorrow, tomorrow
):
    book(member, gigi_tomorrow, tomorrow)
    listing = patient_client.get(reverse("queueing:booking_list")).content.decode()
    assert "booking-card" in listing and "booking-facility" not in listing


def _token() -> uuid.UUID:
    return uuid.uuid4()


# --- a puskesmas counter records seed 001's PCare fields --------------------------------------------------


def test_a_puskesmas_walk_in_records_visit_type_care_and_complaint_shown_in_the_register(
    clerk_client, desk_clerk, guarantor_types
):
    puskesmas, days = facility_with_clinic("Puskesmas Denpasar Selatan", FacilityTimeZone.WITA, code="KIA")
    FacilityMembership.objects.create(user=desk_clerk, facility=puskesmas, role=FacilityRole.CLERK)
    today = puskesmas.local_today()
    walker = make_patient("Ni Luh Ayu", sex="P")
    url = f"{reverse('queueing:desk_walk_in')}?pasien={walker.pk}"
    assert "row-0-visit_kind" in clerk_client.get(url).content.decode()
    response = clerk_client.post(
        url,
        {
            "schedule": on(days, today).pk,
            "row-TOTAL_FORMS": 1,
            "row-INITIAL_FORMS": 1,
            "row-0-guarantor": guarantor_types["umum"].pk,
            "row-0-visit_kind": VisitKind.HEALTHY,
            "row-0-care_kind": CareKind.OUTPATIENT,
            "row-0-complaint": "Imunisasi anak",
        },
    )
    assert response.status_code == 302, response.content[:300]
    booking = Booking.objects.get()
    assert (booking.visit_kind, booking.care_kind, booking.complaint) == ("sehat", "10", "Imunisasi anak")
    register = clerk_client.get(reverse("queueing:desk_register")).content.decode()
    assert "Imunisasi anak" in register and "Puskesmas Denpasar Selatan" in register
    csv_text = clerk_client.get(reverse("queueing:desk_register"), {"format": "csv"}).content.decode()
    header, row = csv_text.lstrip("\ufeff").splitlines()[:2]
    assert header.endswith("Complaint") or header.endswith("Keluhan")
    assert row.endswith("Imunisasi anak")


def test_an_rsud_counter_does_not_ask_the_puskesmas_fields(clerk_client, desk_clerk, gigi_tomorrow):
    walker = make_patient("Slamet")
    page = clerk_client.get(f"{reverse('queueing:desk_walk_in')}?pasien={walker.pk}").content.decode()
    assert "row-0-visit_kind" not in page


def test_a_pcare_kind_outside_the_choices_is_refused_both_ways(patient, member, book, gigi_tomorrow, tomorrow):
    booking = book(member, gigi_tomorrow, tomorrow)
    booking.visit_kind = "rawat"
    with pytest.raises(ValidationError) as refused:
        booking.full_clean()
    assert "visit_kind" in refused.value.error_dict
    with pytest.raises(IntegrityError, match="queueing_booking_pcare_kinds_valid"):
        Booking.objects.filter(pk=booking.pk).update(care_kind="99")


def test_the_manual_form_of_a_puskesmas_has_the_pcare_columns():
    from queueing.desk.pdf import _columns

    titles = [str(title) for title, _w in _columns(True)]
    assert {"Visit", "Care"} <= set(titles) or {"Kunjungan", "Perawatan"} <= set(titles)
    assert sum(width for _t, width in _columns(True)) == sum(width for _t, width in _columns(False)) == 273
