"""The configuration admins (clinics, doctors, schedules, closures, booking settings) are scoped too.

Two facilities, each with a staff member allowed to manage its set-up. Another facility's row is a
404 (page and history), lists and their filters show only one's own facilities, and every
foreign-key dropdown offers only their rows; superusers see everything (issue 11 "People").
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from conftest import make_account
from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
from queueing.models import BookingSettings, Clinic, Doctor, Schedule, ScheduleException

pytestmark = pytest.mark.django_db

MODELS = ("clinic", "doctor", "schedule", "scheduleexception", "bookingsettings")


def _setup(facility: Facility, tag: str) -> dict:
    clinic = Clinic.objects.create(facility=facility, code=f"C{tag}", name=f"Poli {tag}", prefix=tag)
    doctor = Doctor.objects.create(facility=facility, name=f"dr. {tag}")
    schedule = Schedule.objects.create(
        doctor=doctor,
        clinic=clinic,
        weekday=0,
        start_time=dt.time(8),
        end_time=dt.time(12),
        total_quota=20,
        online_quota=10,
    )
    exception = ScheduleException.objects.create(
        facility=facility, date=dt.date(2026, 12, 25), scope="hospital", reason=f"Libur {tag}"
    )
    return {
        "facility": facility,
        "clinic": clinic,
        "doctor": doctor,
        "schedule": schedule,
        "scheduleexception": exception,
        "bookingsettings": BookingSettings.load(facility.pk),
    }


def _manager(email: str, *facilities: Facility) -> User:
    user = make_account(email, "Pengelola", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="queueing", content_type__model__in=MODELS)
    )
    for facility in facilities:
        FacilityMembership.objects.create(user=user, facility=facility, role=FacilityRole.CLERK)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(db) -> dict:
    rsud = default_facility()
    puskesmas = Facility.objects.create(name="Puskesmas Sanur", time_zone=FacilityTimeZone.WITA)
    return {
        "a": _setup(rsud, "Alfa"),
        "b": _setup(puskesmas, "Bravo"),
        "manager_a": _manager("kelola.a@rsud.example", rsud),
        "manager_b": _manager("kelola.b@pkm.example", puskesmas),
    }


def _url(model: str, view: str, *args) -> str:
    return reverse(f"admin:queueing_{model}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("view", ["change", "history"])
def test_another_facilitys_row_is_404(client, world, model, view):
    row = world["b"][model]
    client.force_login(world["manager_a"])
    assert client.get(_url(model, view, row.pk)).status_code == 404
    client.force_login(world["manager_b"])  # the URL itself works for the facility's own staff
    assert client.get(_url(model, view, row.pk)).status_code == 200


@pytest.mark.parametrize("model", ["clinic", "doctor", "schedule", "scheduleexception"])
def test_another_facilitys_row_cannot_be_deleted(client, world, model):
    row = world["b"][model]
    client.force_login(world["manager_a"])
    assert client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 404
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_lists_show_only_ones_own_facility(client, world, model):
    client.force_login(world["manager_a"])
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    rows = set(response.context["cl"].result_list)
    assert world["a"][model] in rows and world["b"][model] not in rows


def _choices(response, field: str) -> set[int]:
    form = response.context["adminform"].form
    return {obj.pk for obj in form.fields[field].queryset}


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("clinic", ["facility"]),
        ("doctor", ["facility"]),
        ("schedule", ["clinic", "doctor"]),
        ("scheduleexception", ["facility", "clinic", "doctor"]),
    ],
)
def test_dropdowns_offer_only_ones_own_facilitys_rows(client, world, model, fields):
    client.force_login(world["manager_a"])
    response = client.get(_url(model, "add"))
    assert response.status_code == 200
    for field in fields:
        own = world["a"]["facility" if field == "facility" else field]
        other = world["b"]["facility" if field == "facility" else field]
        choices = _choices(response, field)
        assert own.pk in choices and other.pk not in choices, field


def test_a_superuser_sees_and_chooses_everything(client, world, admin_user):
    client.force_login(admin_user)
    for model in MODELS:
        for site in ("a", "b"):
            assert client.get(_url(model, "change", world[site][model].pk)).status_code == 200
    choices = _choices(client.get(_url("schedule", "add")), "clinic")
    assert {world["a"]["clinic"].pk, world["b"]["clinic"].pk} <= choices


def test_the_list_filters_name_only_ones_own_rows(client, world):
    client.force_login(world["manager_a"])
    page = client.get(_url("schedule", "changelist")).content.decode()
    assert "Poli Alfa" in page and "Poli Bravo" not in page
    # One facility: no facility filter at all.
    assert "facility__id__exact" not in client.get(_url("clinic", "changelist")).content.decode()


def test_someone_at_two_facilities_gets_a_facility_filter(client, world):
    both = _manager("kelola.dua@dinkes.example", world["a"]["facility"], world["b"]["facility"])
    client.force_login(both)
    page = client.get(_url("clinic", "changelist")).content.decode()
    assert "facility__id__exact" in page
    filtered = client.get(_url("clinic", "changelist"), {"facility__id__exact": world["b"]["facility"].pk})
    assert list(filtered.context["cl"].result_list) == [world["b"]["clinic"]]


def test_a_schedule_across_facilities_is_an_error_next_to_the_clinic(client, world):
    both = _manager("kelola.dua@dinkes.example", world["a"]["facility"], world["b"]["facility"])
    client.force_login(both)
    response = client.post(
        _url("schedule", "add"),
        {
            "doctor": world["a"]["doctor"].pk,
            "clinic": world["b"]["clinic"].pk,
            "weekday": 1,
            "start_time": "08:00",
            "end_time": "12:00",
            "total_quota": 20,
            "online_quota": 10,
            "minutes_per_patient": 10,
            "active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["clinic"]] == ["other_facility"]
    assert Schedule.objects.count() == 2


def test_a_new_doctors_schedules_at_another_facility_are_refused_on_the_page(client, world):
    both = _manager("kelola.dua@dinkes.example", world["a"]["facility"], world["b"]["facility"])
    client.force_login(both)
    prefix = "schedules"
    response = client.post(
        _url("doctor", "add"),
        {
            "facility": world["a"]["facility"].pk,
            "name": "dr. Baru",
            "active": "on",
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-0-clinic": world["b"]["clinic"].pk,
            f"{prefix}-0-weekday": 2,
            f"{prefix}-0-start_time": "08:00",
            f"{prefix}-0-end_time": "12:00",
            f"{prefix}-0-total_quota": 20,
            f"{prefix}-0-online_quota": 10,
            f"{prefix}-0-minutes_per_patient": 10,
            f"{prefix}-0-active": "on",
        },
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [e.code for e in formset.forms[0].errors.as_data()["clinic"]] == ["other_facility"]
    assert not Doctor.objects.filter(name="dr. Baru").exists()


def test_a_doctors_page_offers_only_the_doctors_facilitys_clinics(client, world, admin_user):
    client.force_login(admin_user)
    response = client.get(_url("doctor", "change", world["b"]["doctor"].pk))
    formset = response.context["inline_admin_formsets"][0].formset
    assert {c.pk for c in formset.form.base_fields["clinic"].queryset} == {world["b"]["clinic"].pk}


def test_booking_settings_can_be_added_only_for_ones_own_facility(client, world):
    BookingSettings.objects.filter(pk=world["b"]["bookingsettings"].pk).delete()
    client.force_login(world["manager_a"])
    assert client.get(_url("bookingsettings", "add")).status_code == 403  # theirs exists already
    client.force_login(world["manager_b"])
    response = client.get(_url("bookingsettings", "add"))
    assert response.status_code == 200
    assert _choices(response, "facility") == {world["b"]["facility"].pk}


# --- facilities and memberships: no way into another facility -------------------------------------


def _facility_admin(world) -> User:
    user = world["manager_a"]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="facilities"))
    return User.objects.get(pk=user.pk)


def test_a_facility_admin_edits_only_their_own_facility_and_its_memberships(client, world):
    client.force_login(_facility_admin(world))
    own, other = world["a"]["facility"], world["b"]["facility"]
    assert client.get(reverse("admin:facilities_facility_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:facilities_facility_change", args=[other.pk])).status_code == 404
    listed = client.get(reverse("admin:facilities_facility_changelist")).context["cl"].result_list
    assert list(listed) == [own]
    theirs = FacilityMembership.objects.get(user=world["manager_b"])
    assert client.get(reverse("admin:facilities_facilitymembership_change", args=[theirs.pk])).status_code == 404
    memberships = client.get(reverse("admin:facilities_facilitymembership_changelist")).context["cl"].result_list
    assert theirs not in memberships


def test_a_facility_admin_cannot_grant_themselves_another_facility(client, world):
    user = _facility_admin(world)
    client.force_login(user)
    add = reverse("admin:facilities_facilitymembership_add")
    assert _choices(client.get(add), "facility") == {world["a"]["facility"].pk}
    response = client.post(add, {"user": user.pk, "facility": world["b"]["facility"].pk, "role": "clerk"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["facility"][0].code == "invalid_choice"
    assert not FacilityMembership.objects.filter(user=user, facility=world["b"]["facility"]).exists()
