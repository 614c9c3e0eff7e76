from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.consent import CONSENT_VERSION
from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("accounts:signup")
DONE_URL = reverse("accounts:signup_done")


def without_tokens(response) -> str:
    """The page without its per-request CSRF token and CSP nonce."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", response.content.decode())


def link_path(body: str, marker: str) -> str:
    link = next(line for line in body.splitlines() if marker in line)
    return link[link.index("/akun/") :]


def signup_data(**overrides) -> dict:
    data = {
        "full_name": "Rina Kusuma",
        "phone": "0812-3456-7890",
        "email": "Rina@Example.com",
        "religion": "islam",
        "sex": "P",
        "education": "s1",
        "blood_type": "B",
        "marital_status": "kawin",
        "occupation": "pns",
        "password1": "jalan-pagi-ke-pasar",
        "password2": "jalan-pagi-ke-pasar",
        "consent": "on",
    }
    data.update(overrides)
    return data


def field_error_codes(response, field: str) -> list[str]:
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


@pytest.mark.tuned_hasher  # the stored hash is the tuned Argon2id's
def test_signup_creates_account_and_emails_a_link_that_signs_in_this_browser(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302 and response.url == DONE_URL
    user = User.objects.get()
    assert user.email == "rina@example.com"
    assert user.phone == "+6281234567890"
    assert user.consent_version == CONSENT_VERSION and user.consent_at is not None
    assert user.email_confirmed_at is None
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in before the link is opened
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rina@example.com"]
    assert client.get(link_path(mail.outbox[0].body, "/konfirmasi-email/")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_confirmation_link_opened_in_another_browser_confirms_without_signing_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
    other_browser = Client()

    assert other_browser.get(link_path(mail.outbox[0].body, "/konfirmasi-email/")).status_code == 200
    assert User.objects.get().email_confirmed
    assert other_browser.get(reverse("dashboard")).status_code == 302


def test_signup_with_a_taken_address_answers_the_same_and_tells_the_owner(
    client, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = Client().post(SIGNUP_URL, signup_data(email="baru@example.com"), follow=True)
        taken = Client().post(SIGNUP_URL, signup_data(email=patient.email.upper()), follow=True)

    assert new.redirect_chain == taken.redirect_chain == [(DONE_URL, 302)]
    assert without_tokens(new) == without_tokens(taken)
    assert User.objects.filter(email__iexact=patient.email).count() == 1
    assert User.objects.get(email__iexact=patient.email).full_name == "Sari Wulandari"  # nothing changed
    notice = mail.outbox[-1]
    assert notice.to == [patient.email] and "konfirmasi-email" not in notice.body
    assert reverse("login") in notice.body and reverse("password_reset") in notice.body


def test_owner_notices_of_sign_up_attempts_are_throttled(client, patient, settings, django_capture_on_commit_callbacks):
    settings.CONFIRMATION_EMAILS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            response = client.post(SIGNUP_URL, signup_data(email=patient.email))

    assert response.url == DONE_URL
    assert [m.to for m in mail.outbox] == [[patient.email]] * 2


def test_signup_page_shows_every_sop_field(client):
    html = client.get(SIGNUP_URL).content.decode()
    for name in [
        "full_name",
        "phone",
        "email",
        "religion",
        "sex",
        "education",
        "blood_type",
        "marital_status",
        "occupation",
        "password1",
        "password2",
        "consent",
    ]:
        assert f'name="{name}"' in html


@pytest.mark.parametrize(
    "field",
    [
        "full_name",
        "phone",
        "email",
        "religion",
        "sex",
        "education",
        "blood_type",
        "marital_status",
        "occupation",
        "password1",
        "password2",
        "consent",
    ],
)
def test_signup_requires_each_field(client, field):
    response = client.post(SIGNUP_URL, signup_data(**{field: ""}))

    assert response.status_code == 200
    assert "required" in field_error_codes(response, field)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "phone, code",
    [
        ("+1 415 555 0100", "not_indonesian"),
        ("0812", "invalid_mobile"),
        ("0212345678", "invalid_mobile"),  # a Jakarta landline, not a mobile
        ("08123456789012345", "invalid_mobile"),
        ("08abc", "invalid"),
        ("٠٨١٢٣٤٥٦٧٨٩٠", "invalid"),  # Arabic-Indic digits pass str.isdigit() and regex \d
        ("0812٣٤٥٦٧٨٩٠", "invalid"),
    ],
)
def test_signup_rejects_bad_phone_numbers(client, phone, code):
    response = client.post(SIGNUP_URL, signup_data(phone=phone))

    assert field_error_codes(response, "phone") == [code]


@pytest.mark.parametrize("phone", ["081234567890", "+62 812-3456-7890", "62812 3456 7890", "(0812) 3456.7890"])
def test_signup_normalises_common_phone_forms(client, phone):
    client.post(SIGNUP_URL, signup_data(phone=phone))

    assert User.objects.get().phone == "+6281234567890"


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "not-an-email"),
        ("religion", "atheist"),
        ("sex", "X"),
        ("education", "phd"),
        ("blood_type", "C"),
        ("marital_status", "complicated"),
        ("occupation", "astronaut"),
    ],
)
def test_signup_rejects_invalid_values(client, field, value):
    response = client.post(SIGNUP_URL, signup_data(**{field: value}))

    assert field_error_codes(response, field) in (["invalid"], ["invalid_choice"])


def test_signup_refuses_password_mismatch(client):
    response = client.post(SIGNUP_URL, signup_data(password2="something-else-entirely"))

    assert field_error_codes(response, "password2") == ["password_mismatch"]


@pytest.mark.parametrize(
    "password, code",
    [
        ("short1", "password_too_short"),
        ("12345678901", "password_entirely_numeric"),
        ("password123", "password_too_common"),
    ],
)
def test_signup_applies_django_password_validators(client, password, code):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))

    assert code in field_error_codes(response, "password2")


def test_signup_error_keeps_typed_values_but_not_passwords(client):
    response = client.post(SIGNUP_URL, signup_data(phone="123"))
    html = response.content.decode()

    assert 'value="Rina Kusuma"' in html
    assert 'value="rina@example.com"' in html or 'value="Rina@Example.com"' in html
    assert "jalan-pagi-ke-pasar" not in html
    assert 'class="invalid-feedback"' in html or "invalid-feedback" in html


def test_signup_error_is_shown_in_indonesian_by_default(client):
    response = client.post(SIGNUP_URL, signup_data(phone="+1 415 555 0100"))

    assert "Masukkan nomor ponsel Indonesia" in response.content.decode()


def test_email_confirmation_link_confirms_and_rejects_tampering(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
    path = link_path(mail.outbox[0].body, "/konfirmasi-email/")

    assert client.get(path[:-3] + "xyz/").status_code == 400
    assert client.get(path).status_code == 200
    assert User.objects.get().email_confirmed


def test_resend_confirmation_sends_a_new_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
        client.force_login(User.objects.get())  # signs in with the password chosen
        response = client.post(reverse("accounts:resend_confirmation"))

    assert response.status_code == 302
    assert len(mail.outbox) == 2


def test_resending_the_confirmation_link_is_throttled(client, settings, django_capture_on_commit_callbacks):
    settings.CONFIRMATION_EMAILS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
        client.force_login(User.objects.get())  # signs in with the password chosen
        for _ in range(3):
            response = client.post(reverse("accounts:resend_confirmation"), follow=True)

    assert len(mail.outbox) == 3  # sign-up, then two resends
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_confirmed_address_gets_no_more_links(patient_client):
    response = patient_client.post(reverse("accounts:resend_confirmation"))

    assert response.status_code == 200 and mail.outbox == []
