"""Demo data: realistic and idempotent."""

from __future__ import annotations

from queueing import demo
from queueing.models import BookingSettings, Clinic, Schedule


def test_demo_load_twice_gives_the_same_rows(db):
    first = demo.load()
    assert demo.load() == first
    assert set(Clinic.objects.values_list("code", flat=True)) == {
        "UMUM",
        "GIGI",
        "KIA",
        "KB",
        "ANAK",
        "DALAM",
        "BEDAH",
        "OBGYN",
        "SARAF",
        "MATA",
        "THT",
    }
    assert set(Schedule.objects.values_list("weekday", flat=True)) == set(range(6))  # Monday to Saturday
    assert not Schedule.objects.filter(online_quota__gt=0, weekday=6).exists()
    assert BookingSettings.objects.count() == 2  # one per facility


def test_every_demo_clinic_practises_on_weekdays(db):
    demo.load()
    for clinic in Clinic.objects.all():
        assert Schedule.objects.filter(clinic=clinic).exists(), clinic.code


def test_demo_builds_an_rsud_and_a_puskesmas_in_another_time_zone_with_a_clerk_each(db):
    from accounts import demo as account_demo
    from facilities.models import FacilityKind, FacilityMembership
    from facilities.selectors import facilities_for

    accounts = account_demo.load()
    demo.load()
    demo.load()
    rsud = Clinic.objects.get(code="BEDAH").facility
    puskesmas = Clinic.objects.get(code="UMUM", facility__kind=FacilityKind.PUSKESMAS).facility
    assert (rsud.kind, rsud.time_zone) == (FacilityKind.RSUD, "Asia/Jakarta")
    assert puskesmas.time_zone == "Asia/Makassar"
    assert set(puskesmas.clinics.values_list("code", flat=True)) == {"UMUM", "GIGI", "KIA", "KB"}
    assert list(facilities_for(accounts["clerk"])) == [rsud]
    assert list(facilities_for(accounts["puskesmas_clerk"])) == [puskesmas]
    assert FacilityMembership.objects.filter(role="clerk").count() == 2


def test_the_demo_health_office_signs_in_and_sees_both_facilities_figures_only(client, db):
    import datetime as dt

    from django.urls import reverse

    from accounts import demo as account_demo
    from facilities.models import Facility, FacilityMembership, FacilityRole

    account_demo.load()
    demo.load()
    demo.load()
    office = FacilityMembership.objects.filter(user__email=account_demo.DEMO_HEALTH_OFFICE_EMAIL)
    assert set(office.values_list("facility", "role")) == {
        (facility.pk, FacilityRole.HEALTH_OFFICE) for facility in Facility.objects.all()
    }
    signed_in = client.post(
        reverse("login"), {"username": account_demo.DEMO_HEALTH_OFFICE_EMAIL, "password": account_demo.DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    today = dt.date.today()
    response = client.get(
        reverse("queueing:office_figures"),
        {"start": f"{today:%d/%m/%Y}", "end": f"{today:%d/%m/%Y}"},
    )
    assert response.status_code == 200
    assert {f.pk for f in response.context["form"].fields["facility"].queryset} == set(
        Facility.objects.values_list("pk", flat=True)
    )
    # Not staff: the admin and the counter send it to the staff sign-in, never to a patient.
    for url in (reverse("admin:queueing_booking_changelist"), reverse("queueing:desk_home")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
