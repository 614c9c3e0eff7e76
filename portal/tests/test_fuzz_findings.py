"""Each 500 the fuzzing of issue 10 section 6 found, with DEBUG off: now a clear answer.

The crawler (test_no_server_errors.py) keeps the classes closed; these name each finding."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from guarantors.models import ClinicDocumentRule
from queueing.models import Booking, BookingSettings
from queueing.tests.conftest import make_member
from queueing.wizard import Wizard

pytestmark = pytest.mark.django_db

UNREADABLE = "Permintaan tidak dapat dibaca"  # the 400 page, in Indonesian


def strict_client(user=None) -> Client:
    """A client that returns a 500 page as a response (as a browser sees it) instead of raising."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


# --- a body declaring another charset than UTF-8 -------------------------------------------------


def _form_body(kind: str, fields: dict[str, str]) -> tuple[bytes, str]:
    if kind == "urlencoded":
        from urllib.parse import urlencode

        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    parts = "".join(
        f'--B0UND\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in fields.items()
    )
    return f"{parts}--B0UND--\r\n".encode(), "multipart/form-data; boundary=B0UND"


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "hex", "rot13", "cp037"])
def test_a_form_post_declaring_another_charset_answers_400_even_on_the_anonymous_login(kind, charset):
    client = strict_client()
    login = reverse("login")
    body, content_type = _form_body(
        kind, {"csrfmiddlewaretoken": csrf_token(client, login), "username": "sari@example.com", "password": "x"}
    )

    response = client.generic("POST", login, body, content_type=f"{content_type}; charset={charset}")

    assert response.status_code == 400 and UNREADABLE in response.content.decode()


@pytest.mark.parametrize("charset", ["UTF-8", "utf8", "UTF8"])
def test_utf8_under_any_spelling_is_read_as_usual(charset):
    client = strict_client()
    login = reverse("login")
    body, content_type = _form_body(
        "urlencoded",
        {"csrfmiddlewaretoken": csrf_token(client, login), "username": "sari@example.com", "password": "x"},
    )

    response = client.generic("POST", login, body, content_type=f"{content_type}; charset={charset}")

    assert response.status_code == 200 and response.context["form"].errors  # wrong password, said kindly


# --- the booking wizard's query parameters ---------------------------------------------------------


@pytest.fixture
def family(patient):
    BookingSettings.load()
    return make_member(patient)


@pytest.mark.parametrize("query", ["anggota=not-a-uuid", "anggota=%00", "dari=%00", "dari=" + "Z" * 500])
def test_junk_in_the_wizard_start_parameters_starts_a_plain_wizard(patient, family, query):
    client = strict_client(patient)

    response = client.get(f"{reverse('queueing:booking_start')}?{query}", follow=True)

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.redirect_chain[-1][0].endswith("/anggota/")  # asked which member, from scratch


def test_a_wizard_in_the_session_holding_a_bad_member_id_asks_again(patient, family):
    client = strict_client(patient)
    session = client.session
    wizard = Wizard.start(session, patient="not-a-uuid", date=dt.date.today().isoformat())
    session.save()

    response = client.get(reverse("queueing:wizard_date", kwargs={"wid": wizard.id}), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/anggota/")


# --- the admin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01"])
def test_an_impossible_date_in_the_booking_list_filter_shows_a_list(admin_user, day):
    response = strict_client(admin_user).get(reverse("admin:queueing_booking_changelist"), {"tanggal": day})

    assert response.status_code == 200


@pytest.mark.parametrize("selected", ["not-a-uuid", "\x00", "1"])
def test_an_admin_action_on_a_non_uuid_selection_changes_nothing(admin_user, selected):
    client = strict_client(admin_user)
    url = reverse("admin:queueing_booking_changelist")
    token = csrf_token(client, url)

    response = client.post(
        url, {"csrfmiddlewaretoken": token, "action": "verify_bookings", "_selected_action": [selected], "index": "0"}
    )

    assert response.status_code == 302
    assert not Booking.objects.exists()


def test_a_nul_byte_in_an_admin_filter_is_refused(admin_user):
    response = strict_client(admin_user).get("/admin/families/patient/?sex__exact=%00")

    assert response.status_code == 400 and UNREADABLE in response.content.decode()


def test_a_nul_byte_in_a_clinic_document_rule_is_an_error_under_the_field(admin_user):
    client = strict_client(admin_user)
    url = reverse("admin:guarantors_clinicdocumentrule_add")
    token = csrf_token(client, url)

    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "clinic_code": "GIGI",
            "guarantor_type": "",
            "documents": "Surat rujukan\nKTP\x00asli",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "documents" in response.context["adminform"].form.errors
    assert response.context["adminform"].form.errors.as_data()["documents"][0].code == "null_characters_not_allowed"
    assert not ClinicDocumentRule.objects.filter(clinic_code="GIGI").exists()


@pytest.mark.parametrize("target", ["12 34", "NaN", "dashboard"])
def test_a_next_that_is_no_path_goes_back_to_the_dashboard_after_completing_a_member(patient, family, target):
    """Found by the crawler after the member-completion page arrived."""
    client = strict_client(patient)
    url = reverse("families:member_complete", args=[family.pk])
    token = csrf_token(client, url)

    response = client.post(url, {"csrfmiddlewaretoken": token, "next": target})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("dashboard")
