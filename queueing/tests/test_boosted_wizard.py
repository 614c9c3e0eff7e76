"""The wizard with boosted forms (static/js/boost.js): each answer gets the next page in one response."""

from __future__ import annotations

import re

import pytest
from django.test import Client
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
    assert response.context["new"] is True  # the query string went with it: the "just booked" note of ?baru=1


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


def test_a_page_given_in_place_sets_the_csrf_cookie_it_uses(patient, member, gigi_tomorrow):
    """A phone whose CSRF cookie is gone gets one with the page given in place, and its next answer passes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    response = client.get(reverse("queueing:booking_start"), **BOOST)
    url = boosted(response, "anggota")
    assert "csrftoken" in response.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post(url, {"patient": member.pk, "csrfmiddlewaretoken": token}, **BOOST)
    boosted(response, "tanggal")


def test_a_stale_answer_sends_on_in_place_with_its_note(patient_client, member, umum, gigi_tomorrow, tomorrow):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    doctor_step = url.replace("/konfirmasi/", "/dokter/")
    gigi_tomorrow.clinic.active = False
    gigi_tomorrow.clinic.save()
    response = patient_client.post(doctor_step, {"schedule": gigi_tomorrow.pk}, **BOOST)
    boosted(response, "poli")  # the clinic is gone: its step again, in place, with the note
    assert '<div class="alert alert-warning" role="alert">' in response.content.decode()


def test_when_the_next_page_fails_the_answer_is_kept_and_the_browser_is_sent_there(
    patient_client, member, umum, gigi_tomorrow, tomorrow, monkeypatch
):
    from queueing.views import confirm as confirm_views

    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)
    doctor_step = url.replace("/konfirmasi/", "/dokter/")
    real = confirm_views._confirm_page

    def broken(*args, **kwargs):
        raise RuntimeError("the confirm page failed")

    monkeypatch.setattr(confirm_views, "_confirm_page", broken)
    response = patient_client.post(doctor_step, {"schedule": gigi_tomorrow.pk}, **BOOST)
    assert response.status_code == 302 and response["Location"] == url and "X-Boost-Url" not in response
    monkeypatch.setattr(confirm_views, "_confirm_page", real)
    assert "confirm-button" in patient_client.get(url).content.decode()  # the doctor answer was saved


def test_a_boosted_request_shows_nothing_to_an_anonymous_visitor_or_another_account(
    patient_client, other_patient, member, umum, gigi_tomorrow, tomorrow
):
    url = walk(patient_client, member, tomorrow, gigi_tomorrow, umum)  # Sari's wizard, at its confirm page
    client = Client()
    anonymous = client.post(url, {"token": "x"}, **BOOST)
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]
    assert "X-Boost-Url" not in anonymous

    client.force_login(other_patient)
    response = client.post(url.replace("/konfirmasi/", "/dokter/"), {"schedule": gigi_tomorrow.pk}, **BOOST)
    page = response.content.decode()
    assert member.full_name not in page and member.nik not in page
    assert response.status_code == 200 and "/antrian/ambil/" in response["X-Boost-Url"]
    assert response["X-Boost-Url"] not in url  # a wizard of the other account's own, not Sari's
    assert not Booking.objects.exists()
