"""A clerk of several facilities switches the counter pages between them (issue 11 "People").

The choice is kept in the session and named in the desk header; every counter page (home, check-in,
walk-in, register, paper entry, manual form, the booking list's "today") follows it. A clerk of one
facility sees its name and no switch.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from facilities.models import Facility, FacilityMembership, FacilityRole, FacilityTimeZone, default_facility
from queueing.desk.views.access import FACILITY_SESSION_KEY
from queueing.tests.test_facility_scope import _clerk, _schedules

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(db) -> dict:
    rsud = default_facility()
    puskesmas = Facility.objects.create(
        name="Puskesmas Ubud", time_zone=FacilityTimeZone.WITA, kind="puskesmas", sort_order=1
    )
    _schedules(rsud, "GIGI", "drg. Rina")
    _schedules(puskesmas, "UMUM", "dr. Made")
    both = _clerk("dua@dinkes.example", rsud)
    FacilityMembership.objects.create(user=both, facility=puskesmas, role=FacilityRole.CLERK)
    return {"rsud": rsud, "puskesmas": puskesmas, "both": both, "one": _clerk("satu@rsud.example", rsud)}


def _switch(client, facility: Facility, next_url: str = ""):
    return client.post(reverse("queueing:desk_switch_facility"), {"facility": facility.pk, "next": next_url})


def test_a_clerk_of_one_facility_sees_its_name_and_no_switch(client, sites):
    client.force_login(sites["one"])
    page = client.get(reverse("queueing:desk_home")).content.decode()
    assert 'id="desk-facility-name">' + sites["rsud"].name in page
    assert "desk-facility-switch" not in page


def test_a_clerk_of_two_starts_at_the_first_and_switches(client, sites):
    client.force_login(sites["both"])
    home = client.get(reverse("queueing:desk_home"))
    page = home.content.decode()
    assert "desk-facility-switch" in page and "Puskesmas Ubud" in page
    assert [o.schedule.clinic.code for o in home.context["offers"]] == ["GIGI"]

    response = _switch(client, sites["puskesmas"], reverse("queueing:desk_walk_in"))
    assert response.status_code == 302 and response["Location"] == reverse("queueing:desk_walk_in")
    assert client.session[FACILITY_SESSION_KEY] == sites["puskesmas"].pk
    home = client.get(reverse("queueing:desk_home"))
    assert [o.schedule.clinic.code for o in home.context["offers"]] == ["UMUM"]
    assert home.context["today"] == sites["puskesmas"].local_today()
    assert 'id="desk-facility-name">Puskesmas Ubud' in home.content.decode()


def test_every_counter_page_follows_the_switch(client, sites):
    client.force_login(sites["both"])
    _switch(client, sites["puskesmas"])
    register = client.get(reverse("queueing:desk_register"))
    assert register.context["facility"] == sites["puskesmas"] and register.context["pcare"]
    form = client.get(reverse("queueing:desk_manual_form"))
    assert form.status_code == 200 and form["Content-Type"] == "application/pdf"


def test_an_outside_redirect_goes_home(client, sites):
    client.force_login(sites["both"])
    response = _switch(client, sites["puskesmas"], "https://evil.example/")
    assert response["Location"] == reverse("queueing:desk_home")


def test_switching_to_a_facility_not_ones_own_is_404(client, sites):
    client.force_login(sites["one"])
    assert _switch(client, sites["puskesmas"]).status_code == 404
    assert FACILITY_SESSION_KEY not in client.session
    assert client.get(reverse("queueing:desk_switch_facility")).status_code == 405


def test_a_forged_session_choice_falls_back_to_ones_own_facility(client, sites):
    client.force_login(sites["one"])
    session = client.session
    session[FACILITY_SESSION_KEY] = sites["puskesmas"].pk
    session.save()
    home = client.get(reverse("queueing:desk_home"))
    assert [o.schedule.clinic.code for o in home.context["offers"]] == ["GIGI"]


def test_check_in_at_the_wrong_facility_says_where_the_booking_is(client, sites, patient, book, umum):
    from queueing.tests.conftest import make_member

    puskesmas = sites["puskesmas"]
    today = puskesmas.local_today()
    schedule = next(
        s for s in puskesmas.clinics.get().schedules.all() if s.weekday == (today + dt.timedelta(days=1)).weekday()
    )
    booking = book(make_member(patient), schedule, today + dt.timedelta(days=1), account=patient)
    client.force_login(sites["both"])  # at the RSUD's counter
    response = client.post(reverse("queueing:desk_check_in"), {"code": booking.code})
    assert [e.code for e in response.context["form"].errors.as_data()["code"]] == ["other_facility"]
    assert "Puskesmas Ubud" in response.content.decode()
    _switch(client, puskesmas)
    response = client.post(reverse("queueing:desk_check_in"), {"code": booking.code})
    # Now at the right counter: the check-in itself judges the day (tomorrow's booking is not today's).
    assert "other_facility" not in [e.code for e in response.context["form"].errors.as_data().get("code", [])]
