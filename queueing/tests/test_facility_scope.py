"""Staff see only their facilities (issue 11 "People"): the access matrix, and the health office's figures.

Two facilities: the RSUD (WIB) and a puskesmas in Bali (WITA). Each has a clerk, a booking with a
referral letter, and a patient with a KTP photo. A clerk of one gets 404 (or no row) for every
booking, patient, document and register URL of the other; the other's own clerk gets the page
(so that each 404 is about the facility, not a broken URL). The health office sees counts per
facility and nothing that names a patient.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import make_account
from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
from facilities.scope import staff_facility_ids
from families.models import IdentityDocument, Patient, PatientRecord
from guarantors.models import DocumentKind
from queueing.desk.services import clerk_group_ensure
from queueing.models import Booking, BookingDocument, BookingStatus, Clinic, Doctor, Schedule
from queueing.tests.conftest import make_member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def _schedules(facility: Facility, code: str, doctor: str) -> list[Schedule]:
    clinic = Clinic.objects.create(facility=facility, code=code, name=f"Poli {code.title()}", prefix=code[:1])
    doctor_row = Doctor.objects.create(facility=facility, name=doctor)
    return [
        Schedule.objects.create(
            doctor=doctor_row,
            clinic=clinic,
            weekday=day,
            start_time=dt.time(8),
            end_time=dt.time(12),
            total_quota=20,
            online_quota=10,
            minutes_per_patient=15,
        )
        for day in range(7)
    ]


def _clerk(email: str, facility: Facility, role: str = FacilityRole.CLERK) -> User:
    user = make_account(email, email.split("@")[0].title(), is_staff=True)
    user.groups.add(clerk_group_ensure())
    FacilityMembership.objects.create(user=user, facility=facility, role=role)
    return User.objects.get(pk=user.pk)


class Site:
    """One facility's booking, patient and documents."""

    def __init__(self, facility: Facility, patient: Patient, booking: Booking):
        self.facility, self.patient, self.booking = facility, patient, booking
        self.ktp = IdentityDocument.objects.create(
            patient=patient,
            kind="ktp",
            file=ContentFile(PDF, name="ktp.pdf"),
            content_type="application/pdf",
            size=len(PDF),
        )
        self.letter = BookingDocument.objects.create(
            booking=booking,
            kind=DocumentKind.values[0],
            file=ContentFile(PDF, name="letter.pdf"),
            content_type="application/pdf",
            size=len(PDF),
        )


def _site(facility: Facility, code: str, doctor: str, account: User, name: str, book, umum) -> Site:
    schedules = _schedules(facility, code, doctor)
    date = facility.local_today() + dt.timedelta(days=1)
    schedule = next(s for s in schedules if s.weekday == date.weekday())
    patient = make_member(account, name, relationship="child", mrn=None)
    PatientRecord.objects.create(patient=patient, facility=facility, mrn=f"{77 + facility.pk:08d}")
    booking = book(patient, schedule, date, account=account)
    return Site(facility, patient, booking)


@pytest.fixture
def world(patient, other_patient, book, umum):
    rsud = default_facility()
    puskesmas = Facility.objects.create(
        name="Puskesmas Denpasar Selatan", kind="puskesmas", time_zone=FacilityTimeZone.WITA
    )
    a = _site(rsud, "GIGI", "drg. Rina", patient, "Ayu Rahmawati", book, umum)
    b = _site(puskesmas, "UMUM", "dr. Made", other_patient, "Ketut Suardana", book, umum)
    return {
        "a": a,
        "b": b,
        "clerk_a": _clerk("clerk.a@rsud.example", rsud),
        "clerk_b": _clerk("clerk.b@pkm.example", puskesmas),
    }


# Every URL that shows or changes a booking, a patient or a document: (name, method, url builder).
URLS: list[tuple[str, str, Callable[[Site], str]]] = [
    ("booking page", "get", lambda s: reverse("admin:queueing_booking_change", args=[s.booking.pk])),
    ("booking history", "get", lambda s: reverse("admin:queueing_booking_history", args=[s.booking.pk])),
    ("booking check-in", "post", lambda s: reverse("admin:queueing_booking_status", args=[s.booking.pk, "no_show"])),
    ("booking reject form", "get", lambda s: reverse("admin:queueing_booking_reject", args=[s.booking.pk])),
    (
        "booking letter (admin)",
        "get",
        lambda s: reverse("admin:queueing_booking_document", args=[s.booking.pk, s.letter.pk]),
    ),
    ("booking letter", "get", lambda s: reverse("queueing:booking_document", args=[s.booking.code, s.letter.pk])),
    ("patient page", "get", lambda s: reverse("admin:families_patient_change", args=[s.patient.pk])),
    ("patient history", "get", lambda s: reverse("admin:families_patient_history", args=[s.patient.pk])),
    ("identity document", "get", lambda s: reverse("families:document_view", args=[s.ktp.pk])),
    ("desk move", "get", lambda s: reverse("queueing:desk_move", args=[s.booking.code])),
    ("desk slip", "get", lambda s: reverse("queueing:desk_slips") + f"?kode={s.booking.code}"),
]

# Pages that list rows: another facility's patient must not appear on them.
LISTS: list[tuple[str, Callable[[Site], str]]] = [
    ("booking list", lambda s: reverse("admin:queueing_booking_changelist") + "?tanggal=all"),
    ("booking search", lambda s: reverse("admin:queueing_booking_changelist") + f"?tanggal=all&q={s.booking.code}"),
    ("patient list", lambda s: reverse("admin:families_patient_changelist")),
    (
        "patient search",
        lambda s: reverse("admin:families_patient_changelist") + f"?q={s.patient.full_name.split()[-1]}",
    ),
    ("desk check-in", lambda s: reverse("queueing:desk_check_in") + f"?kode={s.booking.code}"),
    ("desk walk-in pick", lambda s: reverse("queueing:desk_walk_in") + f"?pasien={s.patient.pk}"),
    ("desk paper entry", lambda s: reverse("queueing:desk_paper") + f"?pasien={s.patient.pk}"),
    ("desk walk-in done", lambda s: reverse("queueing:desk_walk_in_done") + f"?kode={s.booking.code}"),
    ("desk register", lambda s: reverse("queueing:desk_register") + f"?date={s.booking.date:%d/%m/%Y}"),
    (
        "desk register CSV",
        lambda s: reverse("queueing:desk_register") + f"?date={s.booking.date:%d/%m/%Y}&format=csv",
    ),
]


def _fetch(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.parametrize(("label", "method", "url"), URLS, ids=[u[0] for u in URLS])
def test_a_clerk_gets_404_for_every_url_of_another_facility(client, world, label, method, url):
    client.force_login(world["clerk_a"])
    assert _fetch(client, method, url(world["b"])).status_code == 404
    client.force_login(world["clerk_b"])  # the same URL works for the facility's own clerk
    assert _fetch(client, method, url(world["b"])).status_code in (200, 302)


@pytest.mark.parametrize(("label", "url"), LISTS, ids=[u[0] for u in LISTS])
def test_a_clerk_sees_no_row_of_another_facility(client, world, label, url):
    b = world["b"]
    client.force_login(world["clerk_b"])  # the page does show the row to the facility's own clerk
    own = client.get(url(b))
    assert own.status_code == 200 and b.patient.full_name in own.content.decode()
    client.force_login(world["clerk_a"])
    other = client.get(url(b))
    assert other.status_code in (200, 404)
    assert b.patient.full_name not in other.content.decode()


@pytest.mark.parametrize("term", ["name", "mrn"])
def test_a_clerk_finds_no_patient_of_another_facility_at_the_counter(client, world, term):
    b = world["b"]
    mrn = b.patient.mrn_at(b.facility.pk)
    query = {"q": b.patient.full_name.split()[-1] if term == "name" else mrn}
    client.force_login(world["clerk_b"])
    assert b.patient.full_name in client.post(reverse("queueing:desk_walk_in"), query).content.decode()
    client.force_login(world["clerk_a"])
    assert b.patient.full_name not in client.post(reverse("queueing:desk_walk_in"), query).content.decode()


def test_the_full_nik_finds_a_person_of_another_facility_without_their_records_there(client, world):
    """One person across the deployment: A's clerk finds B's patient by full NIK only, sees no B number."""
    b = world["b"]
    client.force_login(world["clerk_a"])
    page = client.post(reverse("queueing:desk_walk_in"), {"q": b.patient.nik}).content.decode()
    assert 'id="patient-elsewhere"' in page and b.patient.full_name in page
    assert b.patient.mrn_at(b.facility.pk) not in page and b.facility.name not in page
    assert f"pasien={b.patient.pk}" not in page  # not pickable until A gives them a number


def test_a_clerk_cannot_act_on_another_facilitys_booking_from_the_list(client, world):
    b = world["b"]
    client.force_login(world["clerk_a"])
    client.post(
        reverse("admin:queueing_booking_changelist") + "?tanggal=all",
        {"action": "mark_no_show", "_selected_action": [b.booking.pk]},
    )
    b.booking.refresh_from_db()
    assert b.booking.status != BookingStatus.NO_SHOW


@pytest.mark.parametrize("role", [FacilityRole.NURSE, FacilityRole.KIOSK, FacilityRole.SCREEN])
@pytest.mark.parametrize(("label", "method", "url"), URLS, ids=[u[0] for u in URLS])
def test_nurses_kiosks_and_screens_are_scoped_like_clerks(client, world, role, label, method, url):
    member = _clerk(f"{role}.a@rsud.example", world["a"].facility, role)
    client.force_login(member)
    assert _fetch(client, method, url(world["b"])).status_code == 404
    assert _fetch(client, method, url(world["a"])).status_code in (200, 302)  # their own facility's row


@pytest.mark.parametrize("role", [FacilityRole.NURSE, FacilityRole.KIOSK, FacilityRole.SCREEN])
def test_nurses_kiosks_and_screens_see_no_row_of_another_facility(client, world, role):
    member = _clerk(f"{role}.a@rsud.example", world["a"].facility, role)
    client.force_login(member)
    for label, url in LISTS:
        page = client.get(url(world["b"]))
        assert page.status_code in (200, 404), label
        assert world["b"].patient.full_name not in page.content.decode(), label


def test_a_clerk_with_two_facilities_sees_both(client, world):
    FacilityMembership.objects.create(user=world["clerk_a"], facility=world["b"].facility, role=FacilityRole.NURSE)
    client.force_login(world["clerk_a"])
    page = client.get(reverse("admin:queueing_booking_changelist") + "?tanggal=all").content.decode()
    assert world["a"].patient.full_name in page and world["b"].patient.full_name in page


def test_the_booking_list_has_a_facility_filter_only_for_a_clerk_of_several(client, world):
    changelist = reverse("admin:queueing_booking_changelist")
    client.force_login(world["clerk_b"])
    assert "fasilitas=" not in client.get(changelist + "?tanggal=all").content.decode()
    FacilityMembership.objects.create(user=world["clerk_a"], facility=world["b"].facility, role=FacilityRole.CLERK)
    client.force_login(world["clerk_a"])
    page = client.get(changelist + "?tanggal=all").content.decode()
    assert f"fasilitas={world['b'].facility.pk}" in page
    rows = client.get(changelist, {"tanggal": "all", "fasilitas": world["b"].facility.pk}).context["cl"].result_list
    assert [b.pk for b in rows] == [world["b"].booking.pk]


def test_a_staff_user_without_membership_sees_nothing_once_there_are_two_facilities(client, world):
    loose = make_account("loose@rsud.example", "Tanpa Fasilitas", is_staff=True)
    loose.groups.add(clerk_group_ensure())
    assert staff_facility_ids(loose) == []
    client.force_login(loose)
    assert client.get(reverse("admin:queueing_booking_change", args=[world["a"].booking.pk])).status_code == 404
    assert client.get(reverse("queueing:desk_home")).status_code == 404


def test_a_staff_user_without_membership_keeps_the_only_facility(clerk):
    facility = default_facility()
    assert staff_facility_ids(clerk) == [facility.pk]


def test_a_superuser_sees_every_facility(client, world, admin_user):
    client.force_login(admin_user)
    for site in (world["a"], world["b"]):
        assert client.get(reverse("admin:queueing_booking_change", args=[site.booking.pk])).status_code == 200
        assert client.get(reverse("admin:families_patient_change", args=[site.patient.pk])).status_code == 200


# --- the health office -----------------------------------------------------------------------------


@pytest.fixture
def office(world) -> User:
    """A Dinas Kesehatan account, made staff and given the clerks' permissions by mistake: still no patient."""
    user = _clerk("dinkes@jogjakota.example", world["a"].facility, FacilityRole.HEALTH_OFFICE)
    FacilityMembership.objects.create(user=user, facility=world["b"].facility, role=FacilityRole.HEALTH_OFFICE)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_identitydocument", "view_bookingdocument", "view_patient"])
    )
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(("label", "method", "url"), URLS, ids=[u[0] for u in URLS])
def test_the_health_office_gets_404_on_every_patient_booking_and_document_url(
    client, world, office, label, method, url
):
    client.force_login(office)
    for site in (world["a"], world["b"]):
        assert _fetch(client, method, url(site)).status_code == 404


@pytest.mark.parametrize(("label", "url"), LISTS, ids=[u[0] for u in LISTS])
def test_the_health_office_sees_no_patient_on_any_list(client, world, office, label, url):
    client.force_login(office)
    for site in (world["a"], world["b"]):
        page = client.get(url(site))
        assert page.status_code in (200, 403, 404), label
        assert site.patient.full_name not in page.content.decode()


def test_the_health_office_filters_the_figures_by_facility(client, world, office):
    client.force_login(office)
    a, b = world["a"], world["b"]
    start = min(a.booking.date, b.booking.date)
    query = {"start": f"{start:%d/%m/%Y}", "end": f"{start + dt.timedelta(days=2):%d/%m/%Y}"}
    assert 'name="facility"' in client.get(reverse("queueing:office_figures"), query).content.decode()
    response = client.get(reverse("queueing:office_figures"), {**query, "facility": b.facility.pk})
    assert {r["clinic__facility__name"] for r in response.context["rows"]} == {b.facility.name}
    response = client.get(reverse("queueing:office_figures"), {**query, "facility": "999999"})
    assert response.context["form"].errors.as_data()["facility"][0].code == "invalid_choice"


def test_the_health_office_gets_404_on_the_counter_pages(client, world, office):
    client.force_login(office)
    for name in ("desk_home", "desk_check_in", "desk_walk_in", "desk_register", "desk_paper", "desk_slips"):
        assert client.get(reverse(f"queueing:{name}")).status_code == 404, name


def test_the_health_office_sees_counts_per_facility_and_no_identity(client, world, office):
    client.force_login(office)
    a, b = world["a"], world["b"]
    start = min(a.booking.date, b.booking.date)
    response = client.get(
        reverse("queueing:office_figures"),
        {"start": f"{start:%d/%m/%Y}", "end": f"{start + dt.timedelta(days=2):%d/%m/%Y}"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    rows = {
        (r["clinic__facility__name"], r["clinic__name"], r["guarantor__name"]): r["n"] for r in response.context["rows"]
    }
    assert rows == {
        (a.facility.name, a.booking.clinic.name, a.booking.guarantor.name): 1,
        (b.facility.name, b.booking.clinic.name, b.booking.guarantor.name): 1,
    }
    for site in (a, b):
        assert site.facility.name in page
        for secret in (
            site.patient.full_name,
            site.patient.mrn_at(site.facility.pk),
            site.patient.nik,
            site.booking.code,
        ):
            assert secret not in page


def test_the_figures_leave_out_cancelled_bookings(client, world, office):
    Booking.objects.filter(pk=world["b"].booking.pk).update(status=BookingStatus.CANCELLED)
    client.force_login(office)
    date = world["b"].booking.date
    response = client.get(
        reverse("queueing:office_figures"),
        {"start": f"{date - dt.timedelta(days=1):%d/%m/%Y}", "end": f"{date + dt.timedelta(days=1):%d/%m/%Y}"},
    )
    assert world["b"].facility.name not in {r["clinic__facility__name"] for r in response.context["rows"]}


def test_the_figures_refuse_a_reversed_range(client, office):
    client.force_login(office)
    today = timezone.localdate()
    response = client.get(
        reverse("queueing:office_figures"),
        {"start": f"{today:%d/%m/%Y}", "end": f"{today - dt.timedelta(days=1):%d/%m/%Y}"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["end"][0].code == "range_reversed"


def test_a_clerk_and_a_patient_get_404_on_the_figures(client, world, patient):
    for user in (world["clerk_a"], patient):
        client.force_login(user)
        assert client.get(reverse("queueing:office_figures")).status_code == 404


def test_the_figures_need_a_sign_in(client, db, settings):
    response = client.get(reverse("queueing:office_figures"))
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_unused_uuid_is_404_for_the_health_office(client, office):
    client.force_login(office)
    assert client.get(reverse("families:document_view", args=[uuid.uuid4()])).status_code == 404
