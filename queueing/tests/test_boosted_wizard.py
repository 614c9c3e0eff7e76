"""The wizard with boosted forms (static/js/boost.js): each answer gets the next page in one response."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from queueing.models import Booking
from queueing.tests.conftest import make_member
from queueing.tests.test_views import confirm, start, walk

pytestmark = pytest.mark.usefixtures("umum")
BOOST = {"HTTP_X_BOOST": "1"}
TEMPLATES = {"anggota": "member", "tanggal": "date", "penjamin": "guarantor", "poli": "clinic", "dokter": "doctor"}
TEMPLATES["konfirmasi"] = "confirm"


def boosted(response, step: str) -> str:
    """The page a boosted answer got in place, and its address (X-Boost-Url)."""
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    url = response["X-Boost-Url"]
    assert url.endswith(f"/{step}/"), url
    assert f"queueing/wizard_{TEMPLATES[step]}.html" in [t.name for t in response.templates]
    return url


def test_a_boosted_walk_books_in_one_request_per_step(patient_client, member, umum, gigi_tomorrow, tomorrow):
    response = patient_client.get(reverse("queueing:booking_start"), **BOOST)
    url = boosted(response, "anggota")
    assert f'value="{member.pk}"' in response.content.decode()  # the member step itself, not a redirect
    for answer, step in (
        ({"patient": member.pk}, "tanggal"),
        ({"date": tomorrow.isoformat()}, "penjamin"),
        ({"guarantor_type": umum.code}, "poli"),
        ({"clinic": gigi_tomorrow.clinic_id}, "dokter"),
        ({"schedule": gigi_tomorrow.pk}, "konfirmasi"),
    ):
        response = patient_client.post(url, answer, **BOOST)
        url = boosted(response, step)
    assert "confirm-button" in response.content.decode()

    token = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    response = patient_client.post(url, {"token": token}, **BOOST)
    booking = Booking.objects.get()
    assert response.status_code == 200
    assert response["X-Boost-Url"] == reverse("queueing:booking_detail", args=[booking.code]) + "?baru=1"
    page = response.content.decode()
    assert "GIGI-001" in page and booking.code in page
    # the result page as its own address shows it: the "just booked" note of ?baru=1 included
    assert page.count("GIGI-001") == patient_client.get(response["X-Boost-Url"]).content.decode().count("GIGI-001")


def test_a_boosted_double_confirm_gives_one_booking_and_the_same_page(
    patient_client, member, umum, gigi_tomorrow, tomorrow
):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    token = re.search(r"/ambil/([0-9a-f]{32})/", url).group(1)
    first = patient_client.post(url, {"token": token}, **BOOST)
    second = patient_client.post(url, {"token": token}, **BOOST)
    assert Booking.objects.count() == 1
    assert first["X-Boost-Url"] == second["X-Boost-Url"]


def test_without_the_header_the_steps_still_redirect(patient_client, member, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)  # asserts a 302 at every step
    assert confirm(patient_client, url).status_code == 302


def test_a_refused_boosted_answer_stays_on_its_step_with_the_error_under_the_field(
    patient_client, member, gigi_tomorrow
):
    url = boosted(patient_client.post(start(patient_client), {"patient": member.pk}, **BOOST), "tanggal")
    response = patient_client.post(url, {"date": "2000-01-01"}, **BOOST)
    assert response.status_code == 200 and "X-Boost-Url" not in response  # the address stays the step's
    assert "is-invalid" in response.content.decode() and "date_unavailable" in {
        e.code for e in response.context["form"].errors.as_data()["date"]
    }


def test_a_page_shown_in_place_links_back_to_its_own_address(patient_client, patient):
    """The member step opened in place still knows its own address (the 'complete the data' link)."""
    incomplete = make_member(patient, "Bima", relationship="child", nik="", address_village="")
    response = patient_client.get(reverse("queueing:booking_start"), **BOOST)
    url = boosted(response, "anggota")
    members = {m["patient"].pk: m for m in response.context["members"]}
    assert members[incomplete.pk]["edit_url"].endswith("?next=" + url.replace("/", "%2F"))
